package dev.hiringkit.server.cli;

import static dev.hiringkit.server.cli.CliRunner.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.server.cli.CliRunner.Run;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestS3;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hiring load} from S3 and into an S3 archive, on the test S3 server given as {@code --s3-endpoint};
 * the credentials reach the command the way users give them, through the AWS SDK's default chain
 * (here its system properties).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3CommandTest {

    private AutoCloseable credentials;
    private String bucket;
    @TempDir
    Path archive;

    @BeforeAll
    void start() {
        credentials = TestS3.asDefaultCredentials();
        bucket = TestS3.newBucket();
        TestS3.uploadFiles(RealData.dir(), bucket, "globant/");
    }

    @AfterAll
    void stop() throws Exception {
        credentials.close();
    }

    @Test
    void loadsADirectoryFromS3AndWritesItsRejectsToAnS3Archive() throws IOException {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            Run run = execute("load", "--dir", "s3://" + bucket + "/globant/", "--archive", "s3://" + bucket + "/archive",
                    "--s3-endpoint", TestS3.endpoint().toString(), "--db-url", CliRunner.urlWithCredentials(db));

            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().lines().anyMatch(l -> l.matches("departments\\s+12\\s+12\\s+0\\s.*")), run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.matches("hired_employees\\s+1999\\s.*")), run.out());
            assertTrue(run.out().contains("Rejects of hired_employees: s3://" + bucket
                    + "/archive/rejects/hired_employees/hired_employees-"), run.out());
            assertEquals(1, S3Archive.store(TestS3.client(), bucket, "archive/").list("rejects/").size());
        }
    }

    @Test
    void loadsOneObjectIntoATable() {
        Run run = loadIntoNewDatabase("jobs", "s3://" + bucket + "/globant/jobs.csv");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("jobs\\s+183\\s+183\\s+0\\s.*")), run.out());
    }

    @Test
    void aMissingObjectIsReportedWithItsLocation() {
        Run run = loadIntoNewDatabase("jobs", "s3://" + bucket + "/globant/none.csv");

        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.err().contains("SOURCE_NOT_FOUND: No such object: s3://" + bucket + "/globant/none.csv"),
                run.err());
    }

    /** {@code hiring load --table table source} into a new database, with a local archive. */
    private Run loadIntoNewDatabase(String table, String source) {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            return execute("load", "--table", table, source, "--archive", archive.toString(),
                    "--s3-endpoint", TestS3.endpoint().toString(), "--db-url", CliRunner.urlWithCredentials(db));
        }
    }
}
