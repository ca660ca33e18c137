package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testing.ChildJvm;
import dev.hiringkit.testing.DatabaseState;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.RestartablePostgres;
import dev.hiringkit.testing.SecondChunkHold;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped under {@code hiring load}, {@code hiring backup} and {@code hiring restore}: the
 * command prints one line saying what failed and what to do, never a stack trace (that goes to the log
 * file), and the same command run again after the restart ends as one clean run. The cut load runs as
 * a real process, {@code java ... HiringCommand}, so its terminal output is what a user sees; the other
 * commands run in-process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandLineFaultTest {

    /** The advisory lock the test holds while a command waits for it, until the server stops. */
    private static final int HOLD = 4242;

    @TempDir
    static Path dir;

    private RestartablePostgres postgres;
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @BeforeAll
    void startPostgres() {
        postgres = RestartablePostgres.start(dir.resolve("pgdata"));
    }

    @AfterEach
    void closePools() {
        postgres.start();
        pools.forEach(HikariDataSource::close);
        pools.clear();
    }

    @AfterAll
    void stopPostgres() {
        executor.shutdownNow();
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aLoadCutByARestartPrintsOneLineAndTheSameCommandResumesIt() throws Exception {
        String clean = postgres.newDatabase();
        CliRunner.Run cleanRun = CliRunner.execute(load(clean));
        assertEquals(0, cleanRun.exitCode(), cleanRun.err());

        String cut = postgres.newDatabase();
        HikariDataSource cutPool = pool(cut);
        HiringKit.builder().dataSource(cutPool).archive(ArchiveStore.directory(dir.resolve("unused"))).build().migrate();
        // The second chunk of hired_employees waits, in its transaction, for a lock the test holds; the
        // first chunk is committed. The server stops there.
        SecondChunkHold hold = SecondChunkHold.install(cutPool);
        Process child = hiring(cut, load(cut));
        postgres.awaitLockWait(cut, Duration.ofSeconds(60));
        postgres.stop();
        CliRunner.Run failed = finished(child, cut);

        assertEquals(1, failed.exitCode(), failed.err());
        assertEquals("", failed.out());
        List<String> lines = failed.err().lines().toList();
        assertEquals(1, lines.size(), "one line, no stack trace:\n" + failed.err());
        assertTrue(lines.get(0).startsWith("error: DATABASE_UNAVAILABLE: Load of "), lines.get(0));
        assertTrue(lines.get(0).contains("hired_employees.csv stopped: the database is unavailable"), lines.get(0));
        assertTrue(lines.get(0).endsWith("Run the same command again to resume."), lines.get(0));
        String log = Files.readString(dir.resolve("data-" + cut).resolve("logs/hiring.log"));
        assertTrue(log.contains("hiring load failed") && log.contains("\tat dev.hiringkit."),
                "the log file holds the details:\n" + log);

        startAgain();
        hold.remove();
        hold.close();
        CliRunner.Run again = CliRunner.execute(load(cut));
        assertEquals(0, again.exitCode(), again.err());
        assertEquals("", again.err());
        assertEquals(totals(cleanRun.out()), totals(again.out()));
        assertEquals(DatabaseState.of(pool(clean)), DatabaseState.of(cutPool));
    }

    @Test
    void aBackupCutByARestartSaysNoBackupWasMadeAndRunsAgain() throws Exception {
        String db = loadedDatabase();
        HikariDataSource pool = pool(db);
        // The backup's LOCK TABLE waits for a lock the test holds on hired_employees (the command's start
        // takes none: the schema is current, so Flyway does not run). The server stops there.
        Connection holder = pool.getConnection();
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.execute("LOCK TABLE hired_employees IN ACCESS EXCLUSIVE MODE");
        }
        Future<CliRunner.Run> backup = executor.submit(() -> CliRunner.execute(command(db, "backup")));
        postgres.awaitLockWait(db, "LOCK TABLE departments, jobs, hired_employees%", Duration.ofSeconds(30));
        postgres.stop();
        CliRunner.Run failed = backup.get(60, TimeUnit.SECONDS);

        assertEquals(1, failed.exitCode());
        assertEquals(1, failed.err().lines().count(), failed.err());
        assertTrue(failed.err().startsWith("error: DATABASE_UNAVAILABLE: The backup "), failed.err());
        assertTrue(failed.err().contains("No backup was made"), failed.err());

        startAgain();
        assertTrue(CliRunner.execute(command(db, "backups")).out().startsWith("No backups"));
        CliRunner.Run again = CliRunner.execute(command(db, "backup"));
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(1, CliRunner.execute(command(db, "backups")).out().lines().filter(l -> l.matches("\\d{8}T.*")).count());
    }

    @Test
    void aRestoreCutByARestartSaysTheTablesAreAsTheyWereAndRunsAgain() throws Exception {
        String db = loadedDatabase();
        HikariDataSource pool = pool(db);
        assertEquals(0, CliRunner.execute(command(db, "backup")).exitCode());
        List<String> backedUp = DatabaseState.of(pool);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM hired_employees WHERE id % 3 = 0");
            s.execute("DELETE FROM jobs WHERE NOT EXISTS (SELECT 1 FROM hired_employees h WHERE h.job_id = jobs.id)");
            // The COPY into hired_employees, after departments and jobs were replaced, waits for the lock
            // the test holds; the server stops there.
            s.execute("CREATE FUNCTION hold_copy() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN PERFORM pg_advisory_xact_lock_shared(" + HOLD + "); RETURN NULL; END $$");
            s.execute("CREATE TRIGGER hold_copy BEFORE INSERT ON hired_employees FOR EACH STATEMENT"
                    + " EXECUTE FUNCTION hold_copy()");
        }
        List<String> before = DatabaseState.of(pool);
        Connection holder = pool.getConnection();
        try (Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + HOLD + ")");
        }
        Future<CliRunner.Run> restore = executor.submit(() -> CliRunner.execute(command(db, "restore", "--yes")));
        postgres.awaitLockWait(db, Duration.ofSeconds(30));
        postgres.stop();
        CliRunner.Run failed = restore.get(60, TimeUnit.SECONDS);

        assertEquals(1, failed.exitCode());
        assertEquals(1, failed.err().lines().count(), failed.err());
        assertTrue(failed.err().startsWith("error: DATABASE_UNAVAILABLE: The restore from backup "), failed.err());
        assertTrue(failed.err().contains("changed nothing (every table is as it was)"), failed.err());

        startAgain();
        assertEquals(before, DatabaseState.of(pool), "the tables are as they were before the restore");
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER hold_copy ON hired_employees");
            s.execute("DROP FUNCTION hold_copy()");
        }
        CliRunner.Run again = CliRunner.execute(command(db, "restore", "--yes"));
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(DatabaseState.tablesOnly(backedUp), DatabaseState.tablesOnly(DatabaseState.of(pool)));
    }

    // ---- fixtures -------------------------------------------------------------------------------

    /** {@code hiring load} of the real files, four chunks of hired employees, into {@code database}. */
    private String[] load(String database) {
        return command(database, "load", "--dir", RealData.dir().toString(), "--chunk-size", "500");
    }

    /** A command on {@code database}, with a data directory and an archive of its own. */
    private String[] command(String database, String... args) {
        return Stream.concat(Stream.of(args), Stream.of("--db-url", postgres.jdbcUrl(database),
                "--data-dir", dir.resolve("data-" + database).toString(),
                "--archive", dir.resolve("archive-" + database).toString())).toArray(String[]::new);
    }

    /** A new database holding the real files, loaded by the command line. */
    private String loadedDatabase() {
        String db = postgres.newDatabase();
        CliRunner.Run run = CliRunner.execute(load(db));
        assertEquals(0, run.exitCode(), run.err());
        return db;
    }

    /** Starts {@code hiring args...} as a process of its own, as the launcher script runs it. */
    private Process hiring(String database, String... args) throws IOException {
        // A short lease: the load that resumes it does not wait 20 s for the one this process leaves.
        List<String> command = ChildJvm.command(ChildJvm.SHORT_LEASE, HiringCommand.class, args);
        Path output = dir.resolve("process-" + database);
        Files.createDirectories(output);
        return new ProcessBuilder(command)
                .redirectOutput(output.resolve("out.txt").toFile())
                .redirectError(output.resolve("err.txt").toFile())
                .start();
    }

    private CliRunner.Run finished(Process process, String database) throws Exception {
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the command neither ended nor failed");
        Path output = dir.resolve("process-" + database);
        return new CliRunner.Run(process.exitValue(), Files.readString(output.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(output.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    private HikariDataSource pool(String database) {
        HikariDataSource pool = postgres.newPool(database);
        pools.add(pool);
        return pool;
    }

    /** The summary's lines per table, without the seconds each took. */
    private static List<String> totals(String out) {
        return out.lines().takeWhile(l -> !l.isBlank()).map(l -> l.replaceAll("\\s+\\S+$", "")).toList();
    }

    /** Starts the server again once every pool of the test reaches it (see RestartablePostgres). */
    private void startAgain() throws InterruptedException {
        postgres.startAndReconnect(pools);
    }
}
