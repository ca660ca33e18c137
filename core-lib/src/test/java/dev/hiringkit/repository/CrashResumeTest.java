package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A load killed with SIGKILL half-way, then run again, ends in exactly the state of one clean run:
 * same rows, same rejections, same totals, keys and index in place.
 */
class CrashResumeTest {

    @TempDir
    Path dir;

    @Test
    void aLoadKilledHalfWayResumesToTheStateOfOneCleanRun() throws Exception {
        DataGenerator.builder().employees(300_000).seed(5).invalidRatio(0.03).build().writeTo(dir);
        Path employees = dir.resolve("hired_employees.csv");

        try (HikariDataSource clean = TestDatabase.newDatabase(); HikariDataSource crashed = TestDatabase.newDatabase()) {
            HiringKit cleanKit = kit(clean, "clean-archive");
            LoadResult cleanResult = loadAll(cleanKit, employees);

            HiringKit crashedKit = kit(crashed, "crashed-archive");
            crashedKit.repository().load(Table.DEPARTMENTS, dir.resolve("departments.csv"), LoadOptions.defaults());
            crashedKit.repository().load(Table.JOBS, dir.resolve("jobs.csv"), LoadOptions.defaults());
            killHalfWay(crashed, employees);
            assertTrue(count(crashed, "SELECT count(*) FROM hired_employees") < cleanResult.inserted(),
                    "the killed load should have stopped half-way");
            assertKilledWithoutPrimaryKey(crashed);

            // Resumed by the same kit, with no migration in between: the load takes its own guard over.
            LoadResult resumed = crashedKit.repository().load(Table.HIRED_EMPLOYEES, employees, LoadOptions.defaults());

            assertSameAsOneCleanRun(cleanResult, resumed, clean, crashed);
        }
    }

    @Test
    void aLoadKilledWithoutItsPrimaryKeyGetsItBackAtTheNextStartThenResumesToOneCleanRun() throws Exception {
        DataGenerator.builder().employees(300_000).seed(7).invalidRatio(0.03).build().writeTo(dir);
        Path employees = dir.resolve("hired_employees.csv");

        try (HikariDataSource clean = TestDatabase.newDatabase(); HikariDataSource crashed = TestDatabase.newDatabase()) {
            LoadResult cleanResult = loadAll(kit(clean, "clean-archive"), employees);

            HiringKit crashedKit = kit(crashed, "crashed-archive");
            crashedKit.repository().load(Table.DEPARTMENTS, dir.resolve("departments.csv"), LoadOptions.defaults());
            crashedKit.repository().load(Table.JOBS, dir.resolve("jobs.csv"), LoadOptions.defaults());
            killHalfWay(crashed, employees);
            assertKilledWithoutPrimaryKey(crashed);

            HiringKit restarted = kit(crashed, "crashed-archive"); // a new start: migrate() puts the keys back
            assertEquals(1, count(crashed, PRIMARY_KEYS), "the next start builds the primary key again");
            assertEquals(0, count(crashed, GUARDS), "and removes the guard");
            assertEquals(count(crashed, "SELECT count(DISTINCT id) FROM hired_employees"),
                    count(crashed, "SELECT count(*) FROM hired_employees"));

            LoadResult resumed = restarted.repository().load(Table.HIRED_EMPLOYEES, employees, LoadOptions.defaults());

            assertSameAsOneCleanRun(cleanResult, resumed, clean, crashed);
        }
    }

    private static final String PRIMARY_KEYS = "SELECT count(*) FROM pg_constraint"
            + " WHERE conrelid = 'hired_employees'::regclass AND contype = 'p'";
    private static final String GUARDS = "SELECT count(*) FROM pg_trigger WHERE tgname = 'hired_employees_bulk_load_guard'";

    /** The killed load ran into an empty table: without its primary key, behind its guard. */
    private static void assertKilledWithoutPrimaryKey(HikariDataSource crashed) throws SQLException {
        assertEquals(0, count(crashed, PRIMARY_KEYS), "the load into an empty table runs without the primary key");
        assertEquals(1, count(crashed, GUARDS), "and keeps other writers out meanwhile");
    }

    private static void assertSameAsOneCleanRun(LoadResult cleanResult, LoadResult resumed, HikariDataSource clean,
            HikariDataSource crashed) throws SQLException {
        assertEquals(cleanResult.rowsRead(), resumed.rowsRead());
        assertEquals(cleanResult.inserted(), resumed.inserted());
        assertEquals(cleanResult.rejected(), resumed.rejected());
        assertEquals(cleanResult.rejectedByCode(), resumed.rejectedByCode());
        String rows = "SELECT md5(string_agg(h::text, '|' ORDER BY id)) FROM hired_employees h";
        assertEquals(text(clean, rows), text(crashed, rows));
        String rejections = "SELECT md5(string_agg(record_number || ':' || raw_record || ':' || reasons::text, '|'"
                + " ORDER BY record_number)) FROM rejections";
        assertEquals(text(clean, rejections), text(crashed, rejections));
        assertEquals(1, count(crashed, "SELECT count(*) FROM loads WHERE table_name = 'hired_employees'"),
                "the second run continues the first load instead of starting another");
        assertEquals(2, count(crashed, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                + " AND contype = 'f' AND convalidated"));
        assertEquals(1, count(crashed, "SELECT count(*) FROM pg_indexes WHERE indexname = 'hired_employees_datetime_idx'"));
        assertEquals(1, count(crashed, PRIMARY_KEYS));
        assertEquals(0, count(crashed, GUARDS));
    }

    @Test
    void keysDroppedByAKilledLoadComeBackWithTheNextMigration() throws Exception {
        DataGenerator.builder().employees(300_000).seed(6).build().writeTo(dir);
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db, "archive");
            kit.repository().load(Table.DEPARTMENTS, dir.resolve("departments.csv"), LoadOptions.defaults());
            kit.repository().load(Table.JOBS, dir.resolve("jobs.csv"), LoadOptions.defaults());
            killHalfWay(db, dir.resolve("hired_employees.csv"));
            assertEquals(0, count(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                    + " AND contype = 'f'"), "a large load runs without the foreign keys");
            kit.migrate();
            assertEquals(2, count(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                    + " AND contype = 'f' AND convalidated"));
            assertEquals(1, count(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'hired_employees_datetime_idx'"));
        }
    }

    private LoadResult loadAll(HiringKit kit, Path employees) {
        kit.repository().load(Table.DEPARTMENTS, dir.resolve("departments.csv"), LoadOptions.defaults());
        kit.repository().load(Table.JOBS, dir.resolve("jobs.csv"), LoadOptions.defaults());
        return kit.repository().load(Table.HIRED_EMPLOYEES, employees, LoadOptions.defaults());
    }

    /** Starts the load in another JVM and kills it (SIGKILL) once it has committed some chunks. */
    private void killHalfWay(HikariDataSource db, Path employees) throws Exception {
        CrashLoadMain.killHalfWay(db.getJdbcUrl() + passwordParameter(), db, employees, dir, 5000, 50_000);
    }

    private static String passwordParameter() {
        TestDatabase.Server server = TestDatabase.server();
        return "&user=" + server.user() + "&password=" + server.password();
    }

    private HiringKit kit(HikariDataSource db, String archive) {
        HiringKit kit = HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(dir.resolve(archive))).build();
        kit.migrate();
        return kit;
    }

    private static long count(HikariDataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String text(HikariDataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
