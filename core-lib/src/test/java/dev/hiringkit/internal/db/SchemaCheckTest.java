package dev.hiringkit.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up check that lets a command skip Flyway: a current schema skips it; a missing migration, a
 * failed one, or a key or index a killed bulk load dropped makes {@link HiringKit#migrate()} run Flyway,
 * which puts them back.
 */
class SchemaCheckTest {

    private static final SchemaCheck CORE = new SchemaCheck("db/migration", "flyway_schema_history",
            SchemaCheck.CORE_KEYS_IN_PLACE, HiringKit.class);

    @TempDir
    Path archive;

    @Test
    void listsTheMigrationsThisBuildCarries() {
        List<List<Integer>> carried = CORE.carried().orElseThrow();
        assertTrue(carried.containsAll(List.of(List.of(1), List.of(2), List.of(3), List.of(4))), carried.toString());
    }

    @Test
    void anEmptyDatabaseIsNotCurrent() {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            assertFalse(CORE.isCurrent(db));
            assertFalse(CORE.isMigrated(db));
        }
    }

    @Test
    void aMigratedDatabaseIsCurrentAndMigrateChangesNothing() throws SQLException {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db);
            kit.migrate();
            assertTrue(CORE.isCurrent(db));
            assertTrue(kit.isMigrated());
            long runs = historyRows(db);
            // Flyway records nothing when nothing is pending, so this shows no more than that it stays current;
            // the cases below show that a schema that is not current is repaired.
            kit.migrate();
            assertEquals(runs, historyRows(db));
            assertTrue(CORE.isCurrent(db));
        }
    }

    @Test
    void aDroppedKeyOrIndexRunsFlywayWhichPutsItBack() throws SQLException {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db);
            kit.migrate();
            try (Connection c = db.getConnection()) {
                new SchemaKeys().dropForBulkLoad(c, UUID.randomUUID(), true); // what a killed bulk load leaves
            }
            assertFalse(CORE.isCurrent(db));
            assertTrue(CORE.isMigrated(db), "the migrations are all there; only the keys are missing");
            kit.migrate();
            assertTrue(CORE.isCurrent(db));
            assertEquals(2, count(db, "SELECT count(*) FROM pg_constraint WHERE conname IN"
                    + " ('hired_employees_department_fk', 'hired_employees_job_fk') AND convalidated"));
            assertEquals(1, count(db, "SELECT count(*) FROM pg_constraint WHERE conname = 'hired_employees_pkey'"));
            assertEquals(0, count(db, "SELECT count(*) FROM pg_trigger WHERE tgname = 'hired_employees_bulk_load_guard'"));

            // The guard alone (a load that kept the primary key) is not current either.
            try (Connection c = db.getConnection()) {
                new SchemaKeys().dropForBulkLoad(c, UUID.randomUUID(), false);
            }
            execute(db, "ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_department_fk"
                    + " FOREIGN KEY (department_id) REFERENCES departments (id);"
                    + " ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_job_fk"
                    + " FOREIGN KEY (job_id) REFERENCES jobs (id);"
                    + " CREATE INDEX hired_employees_datetime_idx ON hired_employees (datetime) INCLUDE (department_id, job_id)");
            assertFalse(CORE.isCurrent(db), "a bulk load's guard left behind");
            kit.migrate();
            assertTrue(CORE.isCurrent(db));

            execute(db, "DROP INDEX hired_employees_datetime_idx");
            assertFalse(CORE.isCurrent(db));
            kit.migrate();
            assertEquals(1, count(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'hired_employees_datetime_idx'"));
        }
    }

    @Test
    void aNotValidatedKeyIsNotCurrent() throws SQLException {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db);
            kit.migrate();
            execute(db, "ALTER TABLE hired_employees DROP CONSTRAINT hired_employees_job_fk;"
                    + " ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_job_fk"
                    + " FOREIGN KEY (job_id) REFERENCES jobs (id) NOT VALID");
            assertFalse(CORE.isCurrent(db));
            kit.migrate();
            assertTrue(CORE.isCurrent(db));
        }
    }

    @Test
    void aMissingMigrationRunsFlyway() throws SQLException {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db);
            kit.migrate();
            // As if the database were made by a build that had only V1..V3: V4's table and its record gone.
            execute(db, "DROP TABLE table_leases; DELETE FROM flyway_schema_history WHERE version = '4'");
            assertFalse(CORE.isCurrent(db));
            assertFalse(kit.isMigrated());
            kit.migrate();
            assertTrue(CORE.isCurrent(db));
            assertEquals(0, count(db, "SELECT count(*) FROM table_leases"));
        }
    }

    @Test
    void aFailedMigrationIsNotCurrent() throws SQLException {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            kit(db).migrate();
            execute(db, "UPDATE flyway_schema_history SET success = false WHERE version = '4'");
            assertFalse(CORE.isCurrent(db));
            assertFalse(CORE.isMigrated(db));
        }
    }

    @Test
    void aSchemaMigratedFurtherByANewerBuildIsCurrent() throws SQLException {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            kit(db).migrate();
            execute(db, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) SELECT max(installed_rank) + 1, '999',"
                    + " 'newer', 'SQL', 'V999__newer.sql', 0, current_user, 0, true FROM flyway_schema_history");
            assertTrue(CORE.isCurrent(db));
        }
    }

    private HiringKit kit(HikariDataSource db) {
        return HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(archive)).build();
    }

    private static long historyRows(HikariDataSource db) throws SQLException {
        return count(db, "SELECT count(*) FROM flyway_schema_history");
    }

    private static long count(HikariDataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(HikariDataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
