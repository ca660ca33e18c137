package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.HiringKit;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A command run on the data directory of a running {@code hiring serve} uses the server's embedded
 * database (recorded in the directory) instead of failing on its lock, and the archive there; once the
 * server has stopped, or when its record is stale, the command starts the database itself.
 */
class CommandBesideServerTest {

    @TempDir
    Path dataDir;

    @Test
    void aCommandUsesTheDatabaseOfTheServerRunningOnItsDataDirectory() throws Exception {
        Path record = dataDir.resolve("postgres.running");
        // What 'hiring serve' starts: its runtime, with the embedded database it shares.
        try (HiringRuntime serve = HiringRuntime.start(options("--data-dir", dataDir.toString()), Duration.ofSeconds(3),
                HiringKit.DEFAULT_IDEMPOTENCY_RETENTION)) {
            assertTrue(Files.isRegularFile(record), "the server records its database in the data directory");
            serve.kit().repository().insert(Batch.builder()
                    .add(new Department(7, "Research"))
                    .add(new Job(3, "Analyst"))
                    .add(new HiredEmployee(1, "Ada", Instant.parse("2021-05-04T10:00:00Z"), 7, 3))
                    .build());

            CliRunner.Run report = CliRunner.execute("report", "hires-by-quarter", "--data-dir", dataDir.toString());
            assertEquals(0, report.exitCode(), report.out() + report.err());
            assertTrue(report.out().contains("Research") && report.out().contains("Analyst"), report.out());

            // The archive follows the data directory for the command as for the server.
            CliRunner.Run backup = CliRunner.execute("backup", "--data-dir", dataDir.toString());
            assertEquals(0, backup.exitCode(), backup.out() + backup.err());
            assertEquals(1, serve.kit().archiver().list().size(), "the server sees the command's backup");
            assertTrue(Files.isDirectory(dataDir.resolve("archive")));
        }
        assertFalse(Files.exists(record), "a clean stop removes the record");

        // With no server running, the command starts the database itself, and sees the same rows.
        CliRunner.Run alone = CliRunner.execute("report", "hires-by-quarter", "--data-dir", dataDir.toString());
        assertEquals(0, alone.exitCode(), alone.out() + alone.err());
        assertTrue(alone.out().contains("Research"), alone.out());
    }

    @Test
    void aServerThatBeginsToStopLendsItsDatabaseToNoNewCommand() throws Exception {
        Path record = dataDir.resolve("postgres.running");
        try (HiringRuntime serve = HiringRuntime.start(options("--data-dir", dataDir.toString()), Duration.ofSeconds(3),
                HiringKit.DEFAULT_IDEMPOTENCY_RETENTION)) {
            assertTrue(Files.isRegularFile(record));
            // What SIGTERM does first, before the stop's drain: the database goes once the server has stopped,
            // so a command started meanwhile must not take it up, and is told the directory is in use.
            serve.stopSharingDatabase();
            assertFalse(Files.exists(record), "a stopping server withdraws its record");
            CliRunner.Run report = CliRunner.execute("report", "hires-by-quarter", "--data-dir", dataDir.toString());
            assertNotEquals(0, report.exitCode(), report.out());
            assertTrue(report.err().contains("in use by another hiring process"), report.err());
            assertTrue(serve.kit().isMigrated(), "the stopping server still has its database");
        }
    }

    @Test
    void aStaleRecordIsIgnored() throws Exception {
        // A server killed with its process: the record names a dead process and a port nothing answers on.
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("postgres.running"), "pid=" + exited.pid() + "\nport=1\n");
        CliRunner.Run loads = CliRunner.execute("loads", "--data-dir", dataDir.toString());
        assertEquals(0, loads.exitCode(), loads.out() + loads.err());
    }

    private static DatabaseOptions options(String... args) {
        return CommandLine.populateCommand(new DatabaseOptions(), args);
    }
}
