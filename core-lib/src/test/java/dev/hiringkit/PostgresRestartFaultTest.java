package dev.hiringkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.archive.ArchiveProgress;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadProgress;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.testing.DatabaseState;
import dev.hiringkit.testing.RestartablePostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL stopped (fast shutdown: every session ended, its transaction rolled back) in the middle of
 * a load, a batch, a backup and a restore, then started again on the same data. Each operation must end
 * done or refused with DATABASE_UNAVAILABLE, leave nothing half-written, and, run again, reach exactly
 * the state one clean run reaches: same rows, same loads and rejections bookkeeping, same keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresRestartFaultTest {

    private static final int CHUNK = 2_000;
    private static final Instant AT = Instant.parse("2021-05-01T10:00:00Z");

    @TempDir
    static Path dir;

    private RestartablePostgres postgres;
    /** 20,000 employees, 3% of them broken: ten chunks. */
    private Path small;
    /**
     * A database holding about 250,000 employees, copied (CREATE DATABASE ... TEMPLATE) by the archive
     * tests: 14 MB of COPY data, more than the sockets buffer, so that a backup stopped after 65,536 rows
     * still has most of its COPY to read.
     */
    private String loaded;
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @BeforeAll
    void startPostgres() throws IOException {
        postgres = RestartablePostgres.start(dir.resolve("pgdata"));
        small = dir.resolve("small");
        DataGenerator.builder().employees(20_000).seed(11).invalidRatio(0.03).build().writeTo(small);
        Path large = dir.resolve("large");
        DataGenerator.builder().employees(250_000).seed(12).invalidRatio(0.01).build().writeTo(large);
        loaded = postgres.newDatabase();
        try (HikariDataSource pool = postgres.newPool(loaded)) {
            HiringKit kit = kit(pool, "loaded-archive");
            kit.repository().loadDirectory(large, LoadOptions.defaults());
        }
    }

    @AfterEach
    void closePools() {
        postgres.start(); // a failed test may have left it stopped
        pools.forEach(HikariDataSource::close);
        pools.clear();
    }

    /** Starts the server again once every pool of the test reaches it (see RestartablePostgres). */
    private void startAgain() throws InterruptedException {
        postgres.startAndReconnect(pools);
    }

    @AfterAll
    void stopPostgres() {
        executor.shutdownNow();
        if (postgres != null) {
            postgres.close();
        }
    }

    // ---- loads ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "stopped after chunk {0}")
    @ValueSource(ints = {1, 3})
    void aDirectoryLoadCutByARestartResumesToTheStateOfOneCleanRun(int chunks) throws Exception {
        Db clean = newDb();
        List<LoadResult> cleanResults = clean.kit.repository().loadDirectory(small, options(LoadProgress.NONE));

        Db cut = newDb();
        long employeesSize = Files.size(small.resolve("hired_employees.csv"));
        int[] reports = {0};
        LoadProgress stopping = (bytesRead, totalBytes, rowsRead) -> {
            if (totalBytes == employeesSize && ++reports[0] == chunks) {
                postgres.stop();
            }
        };
        HiringException e = assertThrows(HiringException.class,
                () -> cut.kit.repository().loadDirectory(small, options(stopping)));
        assertEquals(Code.DATABASE_UNAVAILABLE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("hired_employees.csv"), e.getMessage());

        startAgain();
        assertEquals((long) chunks * CHUNK, count(cut.pool, "SELECT records_done FROM loads WHERE table_name = 'hired_employees'"),
                "the chunks committed before the stop are kept, the one in flight is not");
        List<LoadResult> resumed = cut.kit.repository().loadDirectory(small, options(LoadProgress.NONE));

        assertEquals(totals(cleanResults), totals(resumed));
        assertEquals(DatabaseState.of(clean.pool), DatabaseState.of(cut.pool));
        assertEquals(rejectsFiles(clean), rejectsFiles(cut));
    }

    @Test
    void aLoadStartedWhileTheDatabaseIsDownIsRefusedAndARunAfterTheRestartIsOneCleanRun() throws Exception {
        Db clean = newDb();
        LoadResult cleanResult = clean.kit.repository().load(Table.DEPARTMENTS, small.resolve("departments.csv"),
                options(LoadProgress.NONE));
        Db db = newDb();
        postgres.stop();
        Thread.sleep(600); // past HikariCP's alive-bypass window (see startAgain): the pool checks, then reconnects
        HiringException e = assertThrows(HiringException.class, () -> db.kit.repository().load(Table.DEPARTMENTS,
                small.resolve("departments.csv"), options(LoadProgress.NONE)));
        assertEquals(Code.DATABASE_UNAVAILABLE, e.code(), e.getMessage());

        startAgain();
        LoadResult result = db.kit.repository().load(Table.DEPARTMENTS, small.resolve("departments.csv"),
                options(LoadProgress.NONE));
        assertEquals(totals(List.of(cleanResult)), totals(List.of(result)));
        assertEquals(DatabaseState.of(clean.pool), DatabaseState.of(db.pool));
    }

    // ---- batches --------------------------------------------------------------------------------

    @Test
    void aBatchCutByARestartStoresNothingAndItsResendIsStoredOnce() throws Exception {
        Db clean = newDb();
        Db cut = newDb();
        Batch batch = batch();
        BatchResult cleanResult = clean.kit.repository().insert(batch);
        List<String> before = DatabaseState.of(cut.pool);

        // The batch writes its rejected rows last: a lock on the rejections table holds it there, its
        // rows inserted but not committed, while the server stops.
        Connection holder = cut.pool.getConnection();
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.execute("LOCK TABLE rejections IN ACCESS EXCLUSIVE MODE");
        }
        Future<BatchResult> sent = executor.submit(() -> cut.kit.repository().insert(batch));
        postgres.awaitLockWait(cut.name, Duration.ofSeconds(20));
        postgres.stop();
        HiringException e = failure(sent);
        assertEquals(Code.DATABASE_UNAVAILABLE, e.code(), e.getMessage());
        closeQuietly(holder);

        startAgain();
        assertEquals(before, DatabaseState.of(cut.pool), "nothing of the batch was stored");
        BatchResult again = cut.kit.repository().insert(batch);
        assertEquals(cleanResult.inserted(), again.inserted());
        assertEquals(cleanResult.rejected(), again.rejected());
        assertEquals(DatabaseState.of(clean.pool), DatabaseState.of(cut.pool));
        BatchResult third = cut.kit.repository().insert(batch);
        assertEquals(0, third.inserted(), "a batch sent again is stored once: its ids are DUPLICATE_ID now");
    }

    @Test
    void aBatchSentWhileTheDatabaseIsDownIsRefusedAndItsResendIsStoredOnce() throws Exception {
        Db clean = newDb();
        Db db = newDb();
        Batch batch = batch();
        BatchResult cleanResult = clean.kit.repository().insert(batch);
        List<String> before = DatabaseState.of(db.pool);

        postgres.stop();
        Thread.sleep(600); // past HikariCP's alive-bypass window (see startAgain): the pool checks, then reconnects
        HiringException e = assertThrows(HiringException.class, () -> db.kit.repository().insert(batch));
        assertEquals(Code.DATABASE_UNAVAILABLE, e.code(), e.getMessage());

        startAgain();
        assertEquals(before, DatabaseState.of(db.pool));
        BatchResult again = db.kit.repository().insert(batch);
        assertEquals(cleanResult.inserted(), again.inserted());
        assertEquals(DatabaseState.of(clean.pool), DatabaseState.of(db.pool));
    }

    // ---- backup and restore ---------------------------------------------------------------------

    @Test
    void aBackupCutMidCopyLeavesNoBackupAndRunsAgain() throws Exception {
        Db db = copyOfLoaded();
        AtomicBoolean stopped = new AtomicBoolean();
        ArchiveProgress stopping = (table, rows, expected) -> {
            if (table == Table.HIRED_EMPLOYEES && rows > 0 && stopped.compareAndSet(false, true)) {
                postgres.stop(); // 65,536 rows into the COPY of hired_employees
            }
        };
        HiringException e = assertThrows(HiringException.class, () -> db.kit.archiver().withProgress(stopping).backup());
        assertTrue(stopped.get(), "the server should have stopped mid-COPY");
        assertEquals(Code.DATABASE_UNAVAILABLE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("failed reading hired_employees"), e.getMessage());
        assertEquals(List.of(), db.archive.list("backups/"), "no file of the failed backup is left");

        startAgain();
        assertEquals(List.of(), db.kit.archiver().list());
        Backup backup = db.kit.archiver().backup();
        assertEquals(List.of(backup.id()), db.kit.archiver().list().stream().map(Backup::id).toList());
        for (Backup.TableFile file : backup.tables()) {
            assertEquals(count(db.pool, "SELECT count(*) FROM " + file.table().sqlName()), file.rows());
        }
    }

    @Test
    void aRestoreCutMidCopyLeavesTheTablesAsTheyWereAndRunsAgain() throws Exception {
        Db db = copyOfLoaded();
        Backup backup = db.kit.archiver().backup();
        List<String> backedUp = DatabaseState.of(db.pool);
        // The tables move on after the backup: the restore must bring them back, or leave them so.
        try (Connection c = db.pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM hired_employees WHERE id % 7 = 0");
        }
        db.kit.repository().insert(batch());
        List<String> before = DatabaseState.of(db.pool);

        AtomicBoolean stopped = new AtomicBoolean();
        ArchiveProgress stopping = (table, rows, expected) -> {
            if (table == Table.HIRED_EMPLOYEES && stopped.compareAndSet(false, true)) {
                postgres.stop(); // the COPY into hired_employees has begun; departments and jobs are replaced
            }
        };
        HiringException e = assertThrows(HiringException.class,
                () -> db.kit.archiver().withProgress(stopping).restore(backup.id(), RestoreMode.REPLACE));
        assertTrue(stopped.get());
        assertEquals(Code.DATABASE_UNAVAILABLE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("changed nothing (every table is as it was)"), e.getMessage());

        startAgain();
        assertEquals(before, DatabaseState.of(db.pool), "the tables are as they were before the restore");
        RestoreResult result = db.kit.archiver().restore(backup.id(), RestoreMode.REPLACE);
        assertEquals(backup.id(), result.backupId());
        assertEquals(DatabaseState.tablesOnly(backedUp), DatabaseState.tablesOnly(DatabaseState.of(db.pool)));
    }

    // ---- fixtures -------------------------------------------------------------------------------

    /** A database of the test's server with its kit and archive directory. */
    private record Db(String name, HikariDataSource pool, HiringKit kit, ArchiveStore archive) {
    }

    private Db newDb() {
        return open(postgres.newDatabase());
    }

    private Db copyOfLoaded() {
        return open(postgres.newDatabase(loaded));
    }

    private Db open(String name) {
        HikariDataSource pool = postgres.newPool(name);
        pools.add(pool);
        ArchiveStore archive = ArchiveStore.directory(dir.resolve("archive-" + name));
        HiringKit kit = HiringKit.builder().dataSource(pool).archive(archive).build();
        kit.migrate();
        return new Db(name, pool, kit, archive);
    }

    private HiringKit kit(DataSource pool, String archive) {
        HiringKit kit = HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(dir.resolve(archive))).build();
        kit.migrate();
        return kit;
    }

    private static LoadOptions options(LoadProgress progress) {
        return LoadOptions.builder().chunkSize(CHUNK).progress(progress).build();
    }

    /** New departments and jobs and 300 employees, a few of them broken. */
    private static Batch batch() {
        List<Department> departments = List.of(new Department(101, "Quality"), new Department(102, " "));
        List<Job> jobs = List.of(new Job(301, "Auditor"));
        List<HiredEmployee> employees = IntStream.rangeClosed(1, 300)
                .mapToObj(i -> new HiredEmployee(500_000 + i, i % 50 == 0 ? "" : "Employee " + i, AT.plusSeconds(i),
                        101, 301))
                .toList();
        return Batch.builder().addAll(departments).addAll(jobs).addAll(employees).build();
    }

    private static HiringException failure(Future<?> future) throws InterruptedException {
        try {
            future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(HiringException.class, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the operation neither ended nor failed", e);
        }
        throw new AssertionError("the operation succeeded although the server stopped under it");
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // its server is gone
        }
    }

    /** What a load reports, without its id, time and rejects file name. */
    private static List<String> totals(List<LoadResult> results) {
        return results.stream().map(r -> r.table() + " " + r.source() + " " + r.status() + " " + r.rowsRead() + " "
                + r.inserted() + " " + r.rejected() + " " + new java.util.TreeMap<>(r.rejectedByCode())
                + " " + r.rejectsFile().isPresent()).toList();
    }

    /** The rejects files of a database's loads, by table, as their contents (their names carry a time). */
    private static List<String> rejectsFiles(Db db) throws IOException {
        List<String> files = new ArrayList<>();
        for (String key : db.archive.list("rejects/")) {
            try (InputStream in = db.archive.open(key)) {
                files.add(key.substring(0, key.lastIndexOf('/')) + ": " + new String(in.readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    private static long count(DataSource db, String sql) throws SQLException {
        return Long.parseLong(text(db, sql));
    }

    private static String text(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
