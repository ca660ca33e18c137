package dev.hiringkit.server.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.User;
import dev.hiringkit.testing.TestDatabase;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every field of every answer type, as a client reads it: the library's records are handed to graphql-java's
 * property fetching, and the answers must be what the hand-built maps before them were. Ids and times the
 * database makes are masked.
 */
class AnswerShapesTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    @Test
    void everyFieldOfEveryTypeAnswersAsBefore(@TempDir Path dir) throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(dir.resolve("archive")))
                    .build();
            kit.migrate();
            GraphQL graphql = HiringGraphQL.build(kit, null, dir, null, 12, 1000, 100_000);

            String ingest = run(graphql, "mutation { ingest(input: {departments: [{id: 1, department: \"Sales\"},"
                    + " {id: 2, department: \"Legal\"}], jobs: [{id: 1, job: \"Engineer\"}], hiredEmployees: ["
                    + "{id: 1, name: \"Ann\", datetime: \"2021-03-01T10:00:00Z\", departmentId: 1, jobId: 1},"
                    + "{id: 2, name: \"Bob\", datetime: \"2021-07-27T16:02:08+02:00\", departmentId: 1, jobId: 1},"
                    + "{id: 3, name: \"Cy\", datetime: \"not a date\", departmentId: 9, jobId: 1}]})"
                    + " { batchId inserted rejected tables { table inserted rejected { index record"
                    + " reasons { field code message } } } } }");
            assertEquals("{\"ingest\":{\"batchId\":\"<id>\",\"inserted\":5,\"rejected\":1,\"tables\":["
                    + "{\"inserted\":2,\"rejected\":[],\"table\":\"DEPARTMENTS\"},"
                    + "{\"inserted\":1,\"rejected\":[],\"table\":\"JOBS\"},"
                    + "{\"inserted\":2,\"rejected\":[{\"index\":2,\"reasons\":[{\"code\":\"BAD_DATETIME\",\"field\":"
                    + "\"datetime\",\"message\":\"datetime must be an ISO 8601 instant such as 2021-07-27T16:02:08Z,"
                    + " got 'not a date'\"},{\"code\":\"UNKNOWN_DEPARTMENT\",\"field\":\"department_id\",\"message\":"
                    + "\"<message>\"}],\"record\":\"3,Cy,not a date,9,1\"}],\"table\":\"HIRED_EMPLOYEES\"}]}}", ingest);

            assertEquals("{\"departments\":{\"edges\":[{\"cursor\":\"aWQ6MQ\",\"node\":{\"department\":\"Sales\","
                    + "\"id\":1}}],\"pageInfo\":{\"endCursor\":\"aWQ6MQ\",\"hasNextPage\":true}},"
                    + "\"hiredEmployees\":{\"edges\":[{\"cursor\":\"aWQ6MQ\",\"node\":{\"datetime\":"
                    + "\"2021-03-01T10:00:00.000Z\",\"departmentId\":1,\"id\":1,\"jobId\":1,\"name\":\"Ann\"}},"
                    + "{\"cursor\":\"aWQ6Mg\",\"node\":{\"datetime\":\"2021-07-27T14:02:08.000Z\",\"departmentId\":1,"
                    + "\"id\":2,\"jobId\":1,\"name\":\"Bob\"}}],\"pageInfo\":{\"endCursor\":\"aWQ6Mg\","
                    + "\"hasNextPage\":false}},\"jobs\":{\"edges\":[],\"pageInfo\":{\"endCursor\":null,"
                    + "\"hasNextPage\":false}},\"me\":{\"role\":\"ADMIN\",\"username\":\"admin\"}}",
                    run(graphql, "{ departments(first: 1) { edges { cursor node { id department } } pageInfo"
                            + " { hasNextPage endCursor } } jobs(after: \"aWQ6MQ\") { edges { cursor node { id job } }"
                            + " pageInfo { hasNextPage endCursor } } hiredEmployees { edges { cursor node { id name"
                            + " datetime departmentId jobId } } pageInfo { hasNextPage endCursor } }"
                            + " me { username role } }"));

            assertEquals("{\"rejections\":{\"edges\":[{\"cursor\":\"<cursor>\",\"node\":{\"loadId\":\"<id>\","
                    + "\"madeBy\":\"user:admin\",\"rawRecord\":\"3,Cy,not a date,9,1\",\"reasons\":[{\"code\":"
                    + "\"BAD_DATETIME\",\"field\":\"datetime\"},{\"code\":\"UNKNOWN_DEPARTMENT\",\"field\":"
                    + "\"department_id\"}],\"recordNumber\":3,\"rejectedAt\":\"<time>\",\"source\":\"batch\","
                    + "\"table\":\"HIRED_EMPLOYEES\"}}],\"pageInfo\":{\"endCursor\":\"<cursor>\","
                    + "\"hasNextPage\":false}}}",
                    run(graphql, "{ rejections { edges { cursor node { loadId source table recordNumber rawRecord"
                            + " reasons { field code } rejectedAt madeBy } } pageInfo { hasNextPage endCursor } } }"));

            assertEquals("{\"departmentsAboveMean\":{\"departmentCount\":2,\"departments\":[{\"department\":"
                    + "\"Sales\",\"hired\":2,\"id\":1}],\"mean\":1.0,\"totalHired\":2,\"year\":2021},"
                    + "\"hiresByQuarter\":{\"rows\":[{\"department\":\"Sales\",\"departmentId\":1,\"hires\":{\"q1\":1,"
                    + "\"q2\":0,\"q3\":1,\"q4\":0},\"job\":\"Engineer\",\"jobId\":1}],\"totalRows\":1,\"totals\":"
                    + "{\"q1\":1,\"q2\":0,\"q3\":1,\"q4\":0},\"year\":2021}}",
                    run(graphql, "{ hiresByQuarter { year rows { departmentId department jobId job hires { q1 q2 q3 q4"
                            + " } } totalRows totals { q1 q2 q3 q4 } } departmentsAboveMean { year mean"
                            + " departmentCount totalHired departments { id department hired } } }"));

            assertEquals("{\"backup\":{\"codec\":\"<codec>\",\"createdAt\":\"<time>\",\"id\":\"<id>\",\"tables\":["
                    + "{\"bytes\":\"<n>\",\"key\":\"<key>\",\"rows\":2,\"schemaFingerprint\":\"<hash>\",\"sha256\":"
                    + "\"<hash>\",\"table\":\"DEPARTMENTS\"}]}}",
                    run(graphql, "mutation { backup(tables: [DEPARTMENTS]) { id createdAt codec tables { table key"
                            + " rows bytes sha256 schemaFingerprint } } }"));
            assertEquals("{\"restore\":{\"backupId\":\"<id>\",\"mode\":\"APPEND\",\"tables\":[{\"backupRows\":2,"
                    + "\"inserted\":0,\"removed\":0,\"rowsBefore\":2,\"skipped\":2,\"skippedIds\":[1,2],\"table\":"
                    + "\"DEPARTMENTS\"}]}}",
                    run(graphql, "mutation { restore(mode: APPEND) { backupId mode tables { table backupRows"
                            + " rowsBefore removed inserted skipped skippedIds } } }"));
            assertEquals("{\"backups\":[{\"id\":\"<id>\",\"tables\":[{\"rows\":2,\"table\":\"DEPARTMENTS\"}]}]}",
                    run(graphql, "{ backups { id tables { table rows } } }"));
        }
    }

    /** The data of a successful answer, with what the database makes each time masked. */
    private static String run(GraphQL graphql, String operation) throws Exception {
        ExecutionResult result = graphql.execute(ExecutionInput.newExecutionInput().query(operation)
                .graphQLContext(Map.of(HiringGraphQL.USER, new User("admin", Role.ADMIN))).build());
        assertEquals("[]", result.getErrors().toString(), operation);
        return JSON.writeValueAsString(result.getData())
                .replaceAll("\"(batchId|loadId|id|backupId)\":\"[^\"]*-[^\"]*\"", "\"$1\":\"<id>\"")
                .replaceAll("\"(rejectedAt|createdAt)\":\"[^\"]+\"", "\"$1\":\"<time>\"")
                .replaceAll("\"(sha256|schemaFingerprint)\":\"[0-9a-f]{64}\"", "\"$1\":\"<hash>\"")
                .replaceAll("\"key\":\"[^\"]+\"", "\"key\":\"<key>\"")
                .replaceAll("\"codec\":\"[^\"]+\"", "\"codec\":\"<codec>\"")
                .replaceAll("\"bytes\":\\d+", "\"bytes\":\"<n>\"")
                .replaceAll("\"(cursor|endCursor)\":\"(?!aWQ6)[^\"]+\"", "\"$1\":\"<cursor>\"")
                .replaceAll("(\"code\":\"UNKNOWN_DEPARTMENT\",\"field\":\"department_id\",\"message\":)\"[^\"]+\"",
                        "$1\"<message>\"");
    }
}
