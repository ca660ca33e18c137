package dev.hiringkit.server.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.User;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestS3;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loadHistorical mutation with an S3 prefix: read with the server's S3 client, only under its S3 load root. */
class LoadHistoricalFromS3Test {

    @Test
    void loadsAnS3PrefixAndReportsAMissingOne(@TempDir Path loadRoot) {
        String bucket = TestS3.newBucket();
        TestS3.uploadFiles(RealData.dir(), bucket, "globant/");
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(db).archive(S3Archive.store(TestS3.client(), bucket, "archive/"))
                    .sourceReader(S3Archive.sourceReader(TestS3.client())).build();
            kit.migrate();
            GraphQL graphql = HiringGraphQL.build(kit, null, loadRoot, URI.create("s3://" + bucket + "/"), 12, 1000, 100_000);

            // Only under the S3 load root: other buckets the server's credentials reach stay closed.
            String other = TestS3.newBucket();
            TestS3.uploadFiles(RealData.dir(), other, "globant/");
            for (String outside : List.of("s3://" + other + "/globant/", "s3://" + bucket + "/globant/../../" + other + "/",
                    "s3:///globant/", "s3://" + bucket + "/globant/./")) {
                ExecutionResult refused = asWriter(graphql, "mutation { loadHistorical(source: \"" + outside
                        + "\") { table } }");
                assertEquals("BAD_REQUEST", refused.getErrors().get(0).getExtensions().get("code"), outside);
            }
            ExecutionResult none = asWriter(HiringGraphQL.build(kit, null, loadRoot, null, 12, 1000, 100_000),
                    "mutation { loadHistorical(source: \"s3://" + bucket + "/globant/\") { table } }");
            assertTrue(none.getErrors().get(0).getMessage().contains("--s3-load-root"), none.getErrors().toString());

            ExecutionResult loaded = asWriter(graphql, "mutation { loadHistorical(source: \"s3://" + bucket
                    + "/globant/\") { table status inserted } }");
            ExecutionResult missing = asWriter(graphql, "mutation { loadHistorical(source: \"s3://" + bucket
                    + "/elsewhere\") { table } }");

            assertEquals(List.of(), loaded.getErrors());
            List<Map<String, Object>> loads = loaded.<Map<String, List<Map<String, Object>>>>getData().get("loadHistorical");
            assertEquals(List.of("DEPARTMENTS", "JOBS", "HIRED_EMPLOYEES"), loads.stream().map(l -> l.get("table")).toList());
            assertEquals(List.of(12, 183), loads.subList(0, 2).stream().map(l -> ((Number) l.get("inserted")).intValue())
                    .toList());
            assertTrue(loads.stream().allMatch(l -> "DONE".equals(l.get("status"))), loads.toString());
            assertEquals("SOURCE_NOT_FOUND", missing.getErrors().get(0).getExtensions().get("code"));
            assertTrue(missing.getErrors().get(0).getMessage().contains("s3://" + bucket + "/elsewhere/departments.csv"),
                    missing.getErrors().get(0).getMessage());
        }
    }

    private static ExecutionResult asWriter(GraphQL graphql, String mutation) {
        return graphql.execute(ExecutionInput.newExecutionInput().query(mutation)
                .graphQLContext(Map.of(HiringGraphQL.USER, new User("writer", Role.WRITER))).build());
    }
}
