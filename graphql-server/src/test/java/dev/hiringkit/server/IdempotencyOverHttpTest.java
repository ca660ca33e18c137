package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency keys over real HTTP: the Idempotency-Key header and the idempotencyKey argument, the
 * Idempotent-Replayed answer header, a reused key refused, and a batch whose answer was lost after its commit
 * sent again: it gets its first answer, not 1000 DUPLICATE_ID.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyOverHttpTest {

    /** A request with this header has its answer thrown away after it ran, as a dropped connection would. */
    private static final String LOSE_ANSWER = "X-Test-Lose-Answer";
    private static final String INGEST = "mutation($input: IngestInput!) { ingest(input: $input) { batchId inserted"
            + " rejected tables { table inserted rejected { index reasons { code } } } } }";

    @TempDir
    static Path dir;
    private TestServer server;
    private TestServer second;
    private String writer;
    private String admin;

    @BeforeAll
    void start() throws Exception {
        Path loadRoot = Files.createDirectories(dir.resolve("loads"));
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), loadRoot, settings -> settings,
                IdempotencyOverHttpTest::losingAnswers);
        second = new TestServer(server, dir.resolve("archive"));
        writer = server.token("writer");
        admin = server.token("admin");
    }

    @AfterAll
    void stop() throws Exception {
        second.close();
        server.close();
        server.dataSource.close();
    }

    /** Runs the request, then drops its answer when it asks: the commit happened, the client learns nothing. */
    private static Handler losingAnswers(Handler handler) {
        return new Handler.Wrapper(handler) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getHeaders().get(LOSE_ANSWER) == null) {
                    return super.handle(request, response, callback);
                }
                return super.handle(request, new Response.Wrapper(request, response) {
                    @Override
                    public void write(boolean last, ByteBuffer content, Callback written) {
                        written.failed(new EofException("the answer was lost on its way"));
                    }
                }, callback);
            }
        };
    }

    private HttpResponse<String> post(TestServer target, String token, String query, Map<String, Object> variables,
            Map<String, String> headers) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("variables", variables);
        HttpRequest.Builder request = HttpRequest.newBuilder(target.base.resolve("/graphql"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(body)));
        headers.forEach(request::header);
        return target.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> departments(int from, int count) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int id = from; id < from + count; id++) {
            rows.add(Map.of("id", id, "department", "Department " + id));
        }
        return Map.of("input", Map.of("departments", rows));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return TestServer.JSON.readTree(response.body());
    }

    private static String code(HttpResponse<String> response) throws Exception {
        return json(response).at("/errors/0/extensions/code").asText();
    }

    private static Optional<String> replayed(HttpResponse<String> response) {
        return response.headers().firstValue("Idempotent-Replayed");
    }

    private long count(String sql) throws Exception {
        try (Connection c = server.dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aBatchWhoseAnswerWasLostIsSentAgainAndGetsItsFirstAnswer() throws Exception {
        Map<String, Object> batch = departments(1000, 1000);
        long rejections = count("SELECT count(*) FROM rejections");
        HttpResponse<String> lost = post(server, writer, INGEST, batch,
                Map.of("Idempotency-Key", "lost-answer-1", LOSE_ANSWER, "1"));
        assertFalse(lost.statusCode() == 200 && lost.body().contains("batchId"), "the client never saw the answer");
        assertEquals(1000, count("SELECT count(*) FROM departments WHERE id BETWEEN 1000 AND 1999"), "yet it committed");

        // The client retries, through another instance.
        HttpResponse<String> retry = post(second, writer, INGEST, batch, Map.of("Idempotency-Key", "lost-answer-1"));
        assertEquals(200, retry.statusCode(), retry.body());
        assertEquals(Optional.of("true"), replayed(retry));
        JsonNode ingest = json(retry).at("/data/ingest");
        assertEquals(1000, ingest.get("inserted").asInt());
        assertEquals(0, ingest.get("rejected").asInt(), "no DUPLICATE_ID");
        assertEquals(rejections, count("SELECT count(*) FROM rejections"), "nothing logged as bad data");

        // Once more, through the first: the same batch id again.
        HttpResponse<String> again = post(server, writer, INGEST, batch, Map.of("Idempotency-Key", "lost-answer-1"));
        assertEquals(ingest.get("batchId").asText(), json(again).at("/data/ingest/batchId").asText());

        // Without a key, the same retry is what the issue describes: 1000 DUPLICATE_ID.
        HttpResponse<String> unkeyed = post(server, writer, INGEST, batch, Map.of());
        assertEquals(1000, json(unkeyed).at("/data/ingest/rejected").asInt());
        assertEquals("DUPLICATE_ID", json(unkeyed).at("/data/ingest/tables/0/rejected/0/reasons/0/code").asText());
    }

    @Test
    void theArgumentKeysAMutationAsTheHeaderDoes() throws Exception {
        String query = "mutation($input: IngestInput!, $key: String) { ingest(input: $input, idempotencyKey: $key) {"
                + " batchId inserted } }";
        Map<String, Object> variables = new LinkedHashMap<>(departments(3000, 2));
        variables.put("key", "argument-1");
        HttpResponse<String> first = post(server, writer, query, variables, Map.of());
        assertEquals(Optional.empty(), replayed(first));
        assertEquals(2, json(first).at("/data/ingest/inserted").asInt());
        HttpResponse<String> retry = post(second, writer, query, variables, Map.of());
        assertEquals(Optional.of("true"), replayed(retry));
        assertEquals(json(first).at("/data/ingest/batchId"), json(retry).at("/data/ingest/batchId"));

        // Both, the same key: fine; different keys: refused.
        assertEquals(Optional.of("true"), replayed(post(server, writer, query, variables,
                Map.of("Idempotency-Key", "argument-1"))));
        HttpResponse<String> mismatch = post(server, writer, query, variables, Map.of("Idempotency-Key", "other"));
        assertEquals("IDEMPOTENCY_KEY_MISMATCH", code(mismatch));
        HttpResponse<String> bad = post(server, writer, query, Map.of("input", departments(3100, 1).get("input"),
                "key", "x".repeat(256)), Map.of());
        assertEquals("INVALID_IDEMPOTENCY_KEY", code(bad));
    }

    @Test
    void aKeyReusedForAnotherRequestIsRefused() throws Exception {
        post(server, writer, INGEST, departments(4000, 2), Map.of("Idempotency-Key", "reused-1"));
        HttpResponse<String> reused = post(server, writer, INGEST, departments(4000, 3),
                Map.of("Idempotency-Key", "reused-1"));
        assertEquals(200, reused.statusCode());
        assertEquals("IDEMPOTENCY_KEY_REUSED", code(reused));
        assertEquals(Optional.empty(), replayed(reused));
        assertEquals(0, count("SELECT count(*) FROM departments WHERE id = 4002"));

        // Another user's key of the same name is theirs: it runs.
        HttpResponse<String> admins = post(server, admin, INGEST, departments(4100, 1),
                Map.of("Idempotency-Key", "reused-1"));
        assertEquals(1, json(admins).at("/data/ingest/inserted").asInt(), admins.body());
    }

    @Test
    void theHeaderKeysExactlyOneKeyedMutation() throws Exception {
        HttpResponse<String> two = post(server, writer, "mutation($input: IngestInput!) { a: ingest(input: $input) {"
                + " inserted } b: ingest(input: $input) { inserted } }", departments(5000, 1),
                Map.of("Idempotency-Key", "two-mutations"));
        assertEquals(400, two.statusCode());
        assertEquals("IDEMPOTENCY_KEY_NOT_APPLICABLE", code(two));
        assertTrue(two.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(0, count("SELECT count(*) FROM departments WHERE id = 5000"));

        HttpResponse<String> query = post(server, writer, "{ loads(limit: 1) { id } }", null,
                Map.of("Idempotency-Key", "a-query"));
        assertEquals(400, query.statusCode());
        assertEquals("IDEMPOTENCY_KEY_NOT_APPLICABLE", code(query));

        HttpResponse<String> tooLong = post(server, writer, INGEST, departments(5000, 1),
                Map.of("Idempotency-Key", "k".repeat(256)));
        assertEquals(400, tooLong.statusCode());
        assertEquals("INVALID_IDEMPOTENCY_KEY", code(tooLong));
    }

    @Test
    void aRetriedLoadHistoricalReturnsTheSameLoads() throws Exception {
        Path source = Files.createDirectories(dir.resolve("loads/keyed"));
        Files.writeString(source.resolve("departments.csv"), "6000,Loaded\n");
        Files.writeString(source.resolve("jobs.csv"), "6000,Loaded job\n");
        Files.writeString(source.resolve("hired_employees.csv"), "6000,Ann,2021-03-01T00:00:00Z,6000,6000\n");
        String query = "mutation { loadHistorical(source: \"keyed\") { id status inserted rejected } }";
        long loads = count("SELECT count(*) FROM loads");
        HttpResponse<String> first = post(server, writer, query, null, Map.of("Idempotency-Key", "load-1"));
        assertEquals(Optional.empty(), replayed(first));
        assertEquals(loads + 3, count("SELECT count(*) FROM loads"));
        HttpResponse<String> retry = post(server, writer, query, null, Map.of("Idempotency-Key", "load-1"));
        assertEquals(Optional.of("true"), replayed(retry), retry.body());
        assertEquals(json(first).at("/data/loadHistorical"), json(retry).at("/data/loadHistorical"));
        assertEquals(loads + 3, count("SELECT count(*) FROM loads"), "no second load");

        // Asked again with async: true, the same loads (how the answer comes is not what the request does).
        HttpResponse<String> async = post(server, writer, "mutation { loadHistorical(source: \"keyed\", async: true)"
                + " { id status } }", null, Map.of("Idempotency-Key", "load-1"));
        assertEquals(Optional.of("true"), replayed(async), async.body());
        assertEquals(json(first).at("/data/loadHistorical/0/id"), json(async).at("/data/loadHistorical/0/id"));
        assertEquals("DONE", json(async).at("/data/loadHistorical/0/status").asText());
        assertEquals(loads + 3, count("SELECT count(*) FROM loads"));

        // Another key for the same source is another load: every row a DUPLICATE_ID, as without keys.
        HttpResponse<String> asyncFirst = post(server, writer, "mutation { loadHistorical(source: \"keyed\","
                + " async: true, idempotencyKey: \"load-2\") { id status } }", null, Map.of());
        String asyncId = json(asyncFirst).at("/data/loadHistorical/0/id").asText();
        HttpResponse<String> asyncRetry = post(server, writer, "mutation { loadHistorical(source: \"keyed\","
                + " async: true, idempotencyKey: \"load-2\") { id status } }", null, Map.of());
        assertEquals(asyncId, json(asyncRetry).at("/data/loadHistorical/0/id").asText(), asyncRetry.body());
    }

    /** A multipart uploadCsv of {@code csv} as jobs-keyed.csv into JOBS. */
    private static byte[] upload(String boundary, String csv) {
        return ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n"
                + "{\"query\":\"mutation($file: Upload!) { uploadCsv(table: JOBS, file: $file) { id inserted rejected }"
                + " }\",\"variables\":{\"file\":null}}\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{\"0\":[\"variables.file\"]}\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"0\"; filename=\"jobs-keyed.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> sendUpload(TestServer target, byte[] body, String boundary) throws Exception {
        return target.http.send(HttpRequest.newBuilder(target.base.resolve("/graphql"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Authorization", "Bearer " + writer)
                .header("Idempotency-Key", "upload-1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRetriedUploadReturnsTheSameLoad() throws Exception {
        String boundary = "idempotency-test";
        byte[] body = upload(boundary, "7000,Welder\n7001,Baker\n");
        HttpResponse<String> first = sendUpload(server, body, boundary);
        HttpResponse<String> retry = sendUpload(second, body, boundary);
        assertEquals(2, json(first).at("/data/uploadCsv/inserted").asInt(), first.body());
        assertEquals(Optional.of("true"), replayed(retry), retry.body());
        assertEquals(json(first).at("/data/uploadCsv"), json(retry).at("/data/uploadCsv"));

        // The same key and file name with other bytes is another request.
        HttpResponse<String> other = sendUpload(server, upload(boundary, "7002,Potter\n"), boundary);
        assertEquals("IDEMPOTENCY_KEY_REUSED", code(other), other.body());
        assertEquals(0, count("SELECT count(*) FROM jobs WHERE id = 7002"));
    }

    @Test
    void aRetriedBackupAndRestoreRunOnce() throws Exception {
        post(server, writer, INGEST, departments(8000, 3), Map.of());
        String backup = "mutation { backup(tables: [DEPARTMENTS]) { id } }";
        HttpResponse<String> first = post(server, admin, backup, null, Map.of("Idempotency-Key", "backup-1"));
        HttpResponse<String> retry = post(second, admin, backup, null, Map.of("Idempotency-Key", "backup-1"));
        String id = json(first).at("/data/backup/id").asText();
        assertEquals(id, json(retry).at("/data/backup/id").asText());
        assertEquals(Optional.of("true"), replayed(retry));

        String restore = "mutation($id: String) { restore(tables: [DEPARTMENTS], backupId: $id, mode: APPEND) {"
                + " backupId tables { inserted skipped } } }";
        HttpResponse<String> restored = post(server, admin, restore, Map.of("id", id),
                Map.of("Idempotency-Key", "restore-1"));
        assertEquals(Optional.empty(), replayed(restored), restored.body());
        HttpResponse<String> again = post(second, admin, restore, Map.of("id", id),
                Map.of("Idempotency-Key", "restore-1"));
        assertEquals(Optional.of("true"), replayed(again));
        assertEquals(json(restored).at("/data/restore"), json(again).at("/data/restore"));
    }
}
