package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --idempotency-key} on {@code hiring load}, {@code backup} and {@code restore}: a command retried
 * with the same key prints the first run's result, says it was a replay and does nothing again; without a
 * key, or with another one, it runs again.
 */
class IdempotencyKeyCommandsTest {

    @TempDir
    Path archive;

    private HikariDataSource db;
    private CliRunner cli;

    @BeforeEach
    void newDatabase() {
        db = TestDatabase.newDatabase();
        cli = new CliRunner(CliRunner.urlWithCredentials(db), archive.toString());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aLoadRetriedWithItsKeyIsAReplayOfTheFirst() throws Exception {
        String[] load = {"load", "--dir", RealData.dir().toString(), "--idempotency-key", "load-1"};
        CliRunner.Run first = ok(cli.run(load));
        assertFalse(first.out().contains("Replayed"), first.out());

        CliRunner.Run retried = ok(cli.run(load));
        assertTrue(retried.out().contains("Replayed: an earlier load with this --idempotency-key already loaded"
                + " departments (done), jobs (done), hired_employees (done)"), retried.out());
        assertEquals(totals(first.out()), totals(retried.out()), "the first load's totals");
        assertEquals(3, count("SELECT count(*) FROM loads"), "no load started again");

        CliRunner.Run unkeyed = ok(cli.run("load", "--dir", RealData.dir().toString()));
        assertFalse(unkeyed.out().contains("Replayed"), unkeyed.out());
    }

    @Test
    void aBackupRetriedWithItsKeyReturnsTheFirstBackup() throws Exception {
        ok(cli.run("load", "--dir", RealData.dir().toString()));
        CliRunner.Run first = ok(cli.run("backup", "--idempotency-key", "nightly-2026-11-30"));
        CliRunner.Run retried = ok(cli.run("backup", "--idempotency-key", "nightly-2026-11-30"));

        assertEquals(backupId(first), backupId(retried));
        assertFalse(first.out().contains("Replayed"), first.out());
        assertTrue(retried.out().contains("Replayed: an earlier backup with this --idempotency-key took backup "
                + backupId(first) + "; no other backup was taken."), retried.out());
        assertEquals(1, backups(), "one backup in the archive");

        CliRunner.Run another = ok(cli.run("backup", "--idempotency-key", "nightly-2026-12-01"));
        assertNotEquals(backupId(first), backupId(another));
        assertEquals(2, backups());
    }

    @Test
    void aRestoreRetriedWithItsKeyRestoresNothingAgain() throws Exception {
        ok(cli.run("load", "--dir", RealData.dir().toString()));
        ok(cli.run("backup"));
        execute("DELETE FROM hired_employees WHERE id % 2 = 0");
        CliRunner.Run first = ok(cli.run("restore", "--yes", "--idempotency-key", "restore-1"));
        assertEquals(1929, count("SELECT count(*) FROM hired_employees"));

        // Rows written after the restore: a second REPLACE would throw them away, its replay does not.
        execute("DELETE FROM hired_employees WHERE id % 2 = 0");
        long kept = count("SELECT count(*) FROM hired_employees");
        CliRunner.Run retried = ok(cli.run("restore", "--yes", "--idempotency-key", "restore-1"));
        assertTrue(retried.out().contains("Replayed: an earlier restore with this --idempotency-key did the above;"
                + " nothing was restored again."), retried.out());
        assertEquals(first.out().lines().filter(l -> l.startsWith("hired_employees")).toList(),
                retried.out().lines().filter(l -> l.startsWith("hired_employees")).toList(), "the first restore's counts");
        assertEquals(kept, count("SELECT count(*) FROM hired_employees"));

        ok(cli.run("restore", "--yes", "--idempotency-key", "restore-2"));
        assertEquals(1929, count("SELECT count(*) FROM hired_employees"));
    }

    @Test
    void aKeyThatIsNotOneIsAUsageError() {
        CliRunner.Run run = cli.run("backup", "--idempotency-key", "caf\u00e9");
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("--idempotency-key must be 1 to 255 printable ASCII characters"), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    // ---- fixtures -------------------------------------------------------------------------------

    private static CliRunner.Run ok(CliRunner.Run run) {
        assertEquals(0, run.exitCode(), run.err());
        return run;
    }

    /** The summary's lines per table, without the seconds each took. */
    private static java.util.List<String> totals(String out) {
        return out.lines().takeWhile(l -> !l.isBlank()).map(l -> l.replaceAll("\\s+\\S+$", "")).toList();
    }

    private static String backupId(CliRunner.Run backup) {
        return backup.out().lines().findFirst().orElseThrow().split(" ")[1];
    }

    private long backups() {
        return cli.run("backups").out().lines().filter(l -> l.matches("\\d{8}T.*")).count();
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
