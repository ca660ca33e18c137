package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over HTTP, a row of an ingest that breaks a rule comes back as data with all of its reasons, whatever
 * the value (a datetime that is not one, one outside the stored range), and the other rows are stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestRowReasonsTest {

    private static final String INGEST = """
            mutation($rows: [HiredEmployeeInput!]) {
              ingest(input: { hiredEmployees: $rows }) {
                batchId inserted rejected tables { table inserted rejected { index record reasons { field code message } } }
              }
            }""";

    @TempDir
    static Path dir;
    private TestServer server;
    private String writer;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, false);
        writer = server.token("writer");
        server.kit.repository().insert(Batch.builder().add(new Department(1, "Platform")).add(new Job(1, "SRE")).build());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        server.dataSource.close();
    }

    private static Map<String, Object> hire(int id, String name, String datetime, Integer departmentId, Integer jobId) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("datetime", datetime);
        row.put("departmentId", departmentId);
        row.put("jobId", jobId);
        return row;
    }

    @Test
    void badValuesAreRowReasonsAndTheOtherRowsAreStored() throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>(List.of(
                hire(1, "Ada", "2021-13-01T00:00:00Z", 1, 1),
                hire(2, "Bo", "+294247-01-01T00:00:00Z", 1, 1),
                hire(3, "Cy", "-4713-01-01T00:00:00Z", 1, 1),
                hire(4, "X", "not-a-date", 99, 1),
                hire(5, "", "2021-01-01T00:00:00Z", 1, 999),
                hire(6, "Di", null, 1, 1),
                hire(7, "Ed", "2021-07-27T16:02:08Z", 1, 1),
                hire(8, "Flo", "-4713-11-24T00:00:00Z", 1, 1),
                hire(9, "Gus", "2021-04-01T00:00:00-05:00", 1, 1)));
        JsonNode result = server.data(writer, INGEST, Map.of("rows", rows)).get("ingest");
        assertEquals(3, result.get("inserted").asInt(), result.toString());
        JsonNode employees = result.get("tables").get(0);
        assertEquals("HIRED_EMPLOYEES", employees.get("table").asText());
        List<String> reasons = new ArrayList<>();
        for (JsonNode rejected : employees.get("rejected")) {
            List<String> codes = new ArrayList<>();
            rejected.get("reasons").forEach(r -> codes.add(r.get("field").asText() + ":" + r.get("code").asText()));
            reasons.add(rejected.get("index").asInt() + " " + String.join(" ", codes));
        }
        assertEquals(List.of("0 datetime:BAD_DATETIME", "1 datetime:OUT_OF_RANGE", "2 datetime:OUT_OF_RANGE",
                "3 datetime:BAD_DATETIME department_id:UNKNOWN_DEPARTMENT", "4 name:MISSING_FIELD job_id:UNKNOWN_JOB",
                "5 datetime:MISSING_FIELD"), reasons);
        JsonNode first = employees.at("/rejected/0");
        assertEquals("1,Ada,2021-13-01T00:00:00Z,1,1", first.get("record").asText(), "logged as it was sent");
        String message = first.at("/reasons/0/message").asText();
        assertTrue(message.contains("2021-13-01T00:00:00Z"), message);
        assertFalse(message.contains("StringValue") || message.contains("MonthOfYear"), message);

        assertEquals(Instant.parse("-4713-11-24T00:00:00Z"), server.kit.repository().hiredEmployee(8).orElseThrow().datetime());
        assertEquals(Instant.parse("2021-04-01T05:00:00Z"), server.kit.repository().hiredEmployee(9).orElseThrow().datetime());
        JsonNode page = server.data(writer, "{ hiredEmployees(first: 10) { edges { node { id datetime } } } }", null)
                .at("/hiredEmployees/edges");
        assertEquals(3, page.size());
        assertEquals("-4713-11-24T00:00:00.000Z", page.get(1).at("/node/datetime").asText(), "out as an RFC 3339 instant");
    }

    @Test
    void aDatetimeGivenInTheDocumentIsARowReasonToo() throws Exception {
        JsonNode result = server.data(writer, """
                mutation { ingest(input: { hiredEmployees: [
                  { id: 101, name: "Literal", datetime: "2021-02-30T00:00:00Z", departmentId: 1, jobId: 1 }] }) {
                  rejected tables { rejected { reasons { code } } } } }""", null).get("ingest");
        assertEquals(1, result.get("rejected").asInt());
        assertEquals("BAD_DATETIME", result.at("/tables/0/rejected/0/reasons/0/code").asText());
    }
}
