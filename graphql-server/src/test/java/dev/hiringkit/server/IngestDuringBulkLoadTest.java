package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.Table;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadProgress;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.server.observability.HiringMetrics;
import dev.hiringkit.testing.TestDatabase;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over HTTP, an ingest sent while a historical load has hired_employees without its keys is a 503 with
 * Retry-After and the code TABLE_BUSY (its metrics' outcome {@code table_busy}), nothing stored; sent again after the load, it is stored.
 */
class IngestDuringBulkLoadTest {

    private static final String INGEST = """
            mutation($rows: [HiredEmployeeInput!]) {
              ingest(input: { hiredEmployees: $rows }) { inserted rejected }
            }""";

    @TempDir
    Path dir;

    @Test
    void anIngestDuringAKeylessLoadIsA503ToRetryAndIsStoredAfterIt() throws Exception {
        HiringMetrics metrics = HiringMetrics.create();
        TestServer server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir,
                settings -> settings.introspection(false).metrics(metrics));
        try {
            String writer = server.token("writer");
            server.kit.repository().insert(Batch.builder().add(new Department(1, "Platform")).add(new Job(1, "SRE"))
                    .build());
            Map<String, Object> rows = Map.of("rows", List.of(Map.of("id", 50_000, "name", "Ada",
                    "datetime", "2021-07-27T16:02:08Z", "departmentId", 1, "jobId", 1)));
            List<HttpResponse<String>> during = new ArrayList<>();
            LoadProgress progress = new LoadProgress() {
                @Override
                public void update(long bytesRead, long totalBytes, long rowsRead) {
                }

                @Override
                public void chunkCommitted(Table table, long bytesRead, long totalBytes, long rowsRead) {
                    if (rowsRead == 2000) { // the second chunk: a source of unknown size is bulk loaded from it
                        try {
                            during.add(server.post(writer, INGEST, rows));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            };
            StringBuilder csv = new StringBuilder();
            for (int id = 1; id <= 5000; id++) {
                csv.append(id).append(",Employee ").append(id).append(",2021-05-01T10:00:00Z,1,1\n");
            }
            LoadResult load = server.kit.repository().load(Table.HIRED_EMPLOYEES, "employees.csv",
                    new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)),
                    LoadOptions.builder().chunkSize(1000).progress(progress).build());
            assertEquals(5000, load.inserted());

            assertEquals(1, during.size());
            HttpResponse<String> busy = during.get(0);
            assertEquals(503, busy.statusCode(), busy.body());
            assertEquals("5", busy.headers().firstValue("Retry-After").orElse(null));
            JsonNode answer = TestServer.JSON.readTree(busy.body());
            assertEquals("TABLE_BUSY", answer.at("/errors/0/extensions/code").asText(), busy.body());
            assertEquals(5000, server.kit.repository().count(Table.HIRED_EMPLOYEES), "nothing of it was stored");
            // Counted as a busy table, not as the database being down, which it was not.
            assertEquals(1, requests(metrics, "table_busy"));
            assertEquals(0, requests(metrics, "database_unavailable"));

            JsonNode stored = server.data(writer, INGEST, rows).get("ingest");
            assertEquals(1, stored.get("inserted").asInt(), stored.toString());
            assertEquals(5001, server.kit.repository().count(Table.HIRED_EMPLOYEES));
        } finally {
            server.close();
            server.dataSource.close();
        }
    }

    private static long requests(HiringMetrics metrics, String outcome) {
        Timer timer = metrics.registry().find("hiring.graphql.requests").tags("operation", "ingest", "outcome", outcome)
                .timer();
        return timer == null ? 0 : timer.count();
    }
}
