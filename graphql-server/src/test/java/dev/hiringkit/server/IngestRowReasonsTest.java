package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * the value (a datetime that is not one, one outside the stored range), and the other rows are stored; the
 * same when the rows come as columns ({@code hiredEmployeeColumns}).
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

    /** Rows that break every kind of rule, and three good ones, with ids from {@code first}. */
    private static List<Map<String, Object>> mixedRows(int first) {
        return new ArrayList<>(List.of(
                hire(first, "Ada", "2021-13-01T00:00:00Z", 1, 1),
                hire(first + 1, "Bo", "+294247-01-01T00:00:00Z", 1, 1),
                hire(first + 2, "Cy", "-4713-01-01T00:00:00Z", 1, 1),
                hire(first + 3, "X", "not-a-date", 99, 1),
                hire(first + 4, "", "2021-01-01T00:00:00Z", 1, 999),
                hire(first + 5, "Di", null, 1, 1),
                hire(first + 6, "Ed", "2021-07-27T16:02:08Z", 1, 1),
                hire(first + 7, "Flo", "-4713-11-24T00:00:00Z", 1, 1),
                hire(first + 8, "Gus", "2021-04-01T00:00:00-05:00", 1, 1)));
    }

    /** The same rows as HiredEmployeeColumns: one list per field. */
    private static Map<String, Object> columns(List<Map<String, Object>> rows) {
        Map<String, Object> columns = new HashMap<>();
        for (String field : List.of("id", "name", "datetime", "departmentId", "jobId")) {
            columns.put(field, rows.stream().map(row -> row.get(field)).collect(ArrayList::new, ArrayList::add,
                    ArrayList::addAll));
        }
        return columns;
    }

    /** Each refused row of the answer as "index field:CODE ...". */
    private static List<String> reasons(JsonNode table) {
        List<String> reasons = new ArrayList<>();
        for (JsonNode rejected : table.get("rejected")) {
            List<String> codes = new ArrayList<>();
            rejected.get("reasons").forEach(r -> codes.add(r.get("field").asText() + ":" + r.get("code").asText()));
            reasons.add(rejected.get("index").asInt() + " " + String.join(" ", codes));
        }
        return reasons;
    }

    /** The whole answer, errors included. */
    private JsonNode answer(String query, Map<String, Object> variables) throws Exception {
        return new ObjectMapper().readTree(server.post(writer, query, variables).body());
    }

    private static final List<String> MIXED_REASONS = List.of("0 datetime:BAD_DATETIME", "1 datetime:OUT_OF_RANGE",
            "2 datetime:OUT_OF_RANGE", "3 datetime:BAD_DATETIME department_id:UNKNOWN_DEPARTMENT",
            "4 name:MISSING_FIELD job_id:UNKNOWN_JOB", "5 datetime:MISSING_FIELD");

    @Test
    void badValuesAreRowReasonsAndTheOtherRowsAreStored() throws Exception {
        JsonNode result = server.data(writer, INGEST, Map.of("rows", mixedRows(1))).get("ingest");
        assertEquals(3, result.get("inserted").asInt(), result.toString());
        JsonNode employees = result.get("tables").get(0);
        assertEquals("HIRED_EMPLOYEES", employees.get("table").asText());
        assertEquals(MIXED_REASONS, reasons(employees));
        JsonNode first = employees.at("/rejected/0");
        assertEquals("1,Ada,2021-13-01T00:00:00Z,1,1", first.get("record").asText(), "logged as it was sent");
        // A row whose every value is well formed goes to the library typed; refused, it is logged as sent too.
        assertEquals("5,,2021-01-01T00:00:00Z,1,999", employees.at("/rejected/4/record").asText());
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
    void rowsSentAsColumnsAreCheckedAndReportedAsRowsAre() throws Exception {
        String ingestColumns = """
                mutation($columns: HiredEmployeeColumns) {
                  ingest(input: { hiredEmployeeColumns: $columns }) {
                    batchId inserted rejected tables { table inserted rejected { index record reasons { field code message } } }
                  }
                }""";
        JsonNode result = server.data(writer, ingestColumns, Map.of("columns", columns(mixedRows(201))))
                .get("ingest");
        assertEquals(3, result.get("inserted").asInt(), result.toString());
        assertEquals(6, result.get("rejected").asInt(), result.toString());
        JsonNode employees = result.get("tables").get(0);
        assertEquals("HIRED_EMPLOYEES", employees.get("table").asText());
        assertEquals(MIXED_REASONS, reasons(employees));
        assertEquals("201,Ada,2021-13-01T00:00:00Z,1,1", employees.at("/rejected/0/record").asText(),
                "logged as it was sent");
        assertEquals(Instant.parse("2021-04-01T05:00:00Z"), server.kit.repository().hiredEmployee(209).orElseThrow()
                .datetime());
        assertEquals("Flo", server.kit.repository().hiredEmployee(208).orElseThrow().name());
        // The same batch again: every row a duplicate or still broken, as with the object form.
        JsonNode again = server.data(writer, ingestColumns, Map.of("columns", columns(mixedRows(201)))).get("ingest");
        assertEquals(0, again.get("inserted").asInt(), again.toString());
        assertEquals("6 id:DUPLICATE_ID", reasons(again.get("tables").get(0)).get(6));
    }

    @Test
    void columnsOfUnequalLengthOrBothFormsAreTheRequestsError() throws Exception {
        Map<String, Object> columns = columns(mixedRows(301));
        ((List<?>) columns.get("name")).remove(0);
        JsonNode unequal = answer( """
                mutation($columns: HiredEmployeeColumns) { ingest(input: { hiredEmployeeColumns: $columns }) { inserted } }""",
                Map.of("columns", columns));
        assertEquals("BAD_REQUEST", unequal.at("/errors/0/extensions/code").asText(), unequal.toString());
        assertTrue(unequal.at("/errors/0/message").asText().contains("name 8"), unequal.toString());
        JsonNode both = answer( """
                mutation($rows: [HiredEmployeeInput!], $columns: HiredEmployeeColumns) {
                  ingest(input: { hiredEmployees: $rows, hiredEmployeeColumns: $columns }) { inserted } }""",
                Map.of("rows", mixedRows(401), "columns", columns(mixedRows(501))));
        assertEquals("BAD_REQUEST", both.at("/errors/0/extensions/code").asText(), both.toString());
        assertTrue(server.kit.repository().hiredEmployee(307).isEmpty() && server.kit.repository().hiredEmployee(407)
                .isEmpty() && server.kit.repository().hiredEmployee(507).isEmpty(), "nothing stored");
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
