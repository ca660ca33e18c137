package dev.hiringkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Archiver;
import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.testing.RestartablePostgres;
import dev.hiringkit.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What jOOQ, Flyway, the driver and the pool throw leaves the library as a HiringException with a code,
 * with real causes: a database that refuses the migration, one that holds a conflicting table, one that
 * was stopped. What the caller's own callback throws comes back to the caller unchanged.
 */
class ExceptionBoundaryTest {

    @TempDir
    Path dir;

    @Test
    void aMigrationTheDatabaseRefusesIsADatabaseError() throws SQLException {
        String role = "no_create_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        try (HikariDataSource admin = TestDatabase.newDatabase()) {
            String database;
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'secret'");
                s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
                database = c.getCatalog();
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(TestDatabase.server().urlOf(database).replaceAll("\\?.*", ""));
            config.setUsername(role);
            config.setPassword("secret");
            try (HikariDataSource restricted = new HikariDataSource(config)) {
                HiringKit kit = HiringKit.builder().dataSource(restricted).archive(ArchiveStore.directory(dir)).build();

                HiringException refused = assertThrows(HiringException.class, kit::migrate);

                assertEquals(Code.DATABASE_ERROR, refused.code(), refused.getMessage());
                assertTrue(refused.getMessage().startsWith("Migrating the schema failed: "), refused.getMessage());
                assertTrue(refused.getMessage().contains("permission denied"), refused.getMessage());
                assertFalse(kit.isMigrated());
            }
        }
    }

    @Test
    void aSchemaHoldingAConflictingTableIsASchemaMismatch() throws SQLException {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE departments (name text)");
            }
            HiringKit kit = HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(dir)).build();

            HiringException refused = assertThrows(HiringException.class, kit::migrate);

            assertEquals(Code.SCHEMA_MISMATCH, refused.code(), refused.getMessage());
            assertTrue(refused.getMessage().contains("non-empty schema"), refused.getMessage());
        }
    }

    @Test
    void everyCallOnAStoppedDatabaseIsDatabaseUnavailable() {
        try (RestartablePostgres postgres = RestartablePostgres.start(dir.resolve("pgdata"))) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(postgres.jdbcUrl(postgres.newDatabase()));
            // HikariCP's least: a call made while the server is down fails after a quarter second.
            config.setConnectionTimeout(250);
            try (HikariDataSource pool = new HikariDataSource(config)) {
                HiringKit kit = HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(dir.resolve("archive")))
                        .build();
                kit.migrate();
                HiringRepository repository = kit.repository();
                Archiver archiver = kit.archiver();
                postgres.stop();

                Map<String, Executable> calls = new LinkedHashMap<>();
                calls.put("isMigrated", kit::isMigrated);
                calls.put("migrate", kit::migrate);
                calls.put("hiresByQuarter", () -> kit.reports().hiresByQuarter(2021));
                calls.put("departmentsAboveMean", () -> kit.reports().departmentsAboveMean(2021));
                calls.put("department", () -> repository.department(1));
                calls.put("jobs", () -> repository.jobs(null, 10));
                calls.put("count", () -> repository.count(Table.JOBS));
                calls.put("loads", () -> repository.loads(10));
                calls.put("findLoad", () -> repository.findLoad(UUID.randomUUID()));
                calls.put("recentRejections", () -> repository.recentRejections(null, 10));
                calls.put("load", () -> repository.load(Table.JOBS, "jobs.csv", csv("1,Writer\n"), LoadOptions.defaults()));
                calls.put("backup", () -> archiver.backup(Table.JOBS));
                calls.forEach((name, call) -> {
                    HiringException failed = assertThrows(HiringException.class, call, name);
                    assertEquals(Code.DATABASE_UNAVAILABLE, failed.code(), name + ": " + failed.getMessage());
                });
            }
        }
    }

    @Test
    void whatTheCallersCallbackThrowsComesBackUnchanged() {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(dir)).build();
            kit.migrate();
            IllegalStateException stop = new IllegalStateException("enough");
            Supplier<LoadOptions> stopping = () -> LoadOptions.builder().chunkSize(1).progress((bytes, total, rows) -> {
                throw stop;
            }).build();

            assertSame(stop, assertThrows(IllegalStateException.class,
                    () -> kit.repository().load(Table.JOBS, "jobs.csv", csv("1,Writer\n2,Editor\n"), stopping.get())));
            assertSame(stop, assertThrows(IllegalStateException.class,
                    () -> kit.archiver().withProgress((table, rows, expected) -> {
                        throw stop;
                    }).backup(Table.JOBS)));
        }
    }

    private static ByteArrayInputStream csv(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
