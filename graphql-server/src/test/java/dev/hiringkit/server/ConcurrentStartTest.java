package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several instances start at once on one new database, each with its own pool, and each runs what
 * {@code hiring serve} runs as it starts: the library's migrations (with afterMigrate.sql), the server's,
 * and the first user. All succeed, each migration is applied once, and the schema is whole.
 */
class ConcurrentStartTest {

    private static final int INSTANCES = 4;
    /** Rounds on a new database each: a race that loses once in a while still shows. */
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    @Test
    void instancesStartingAtOnceMigrateOneDatabaseOnce() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(INSTANCES);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                try (HikariDataSource database = TestDatabase.newDatabase()) {
                    startAtOnce(database, executor);
                    assertSchemaWhole(database);
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * The same with the keys a killed bulk load left dropped: every instance's afterMigrate.sql finds them
     * missing and puts them back at once.
     */
    @Test
    void instancesStartingAtOnceAfterAKilledBulkLoadPutTheKeysBackOnce() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(INSTANCES);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                try (HikariDataSource database = TestDatabase.newDatabase()) {
                    HiringKit.builder().dataSource(database).archive(ArchiveStore.directory(dir)).build().migrate();
                    try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
                        s.execute("ALTER TABLE hired_employees DROP CONSTRAINT hired_employees_department_fk,"
                                + " DROP CONSTRAINT hired_employees_job_fk");
                        s.execute("DROP INDEX hired_employees_datetime_idx");
                    }
                    startAtOnce(database, executor);
                    assertSchemaWhole(database);
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }

    private void startAtOnce(HikariDataSource database, ExecutorService executor) throws Exception {
        CyclicBarrier together = new CyclicBarrier(INSTANCES);
        List<Future<Boolean>> starts = new ArrayList<>();
        List<HikariDataSource> pools = new ArrayList<>();
        try {
            for (int i = 0; i < INSTANCES; i++) {
                HikariDataSource pool = poolLike(database);
                pools.add(pool);
                starts.add(executor.submit(() -> {
                    HiringKit kit = HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(dir)).build();
                    Users users = new Users(pool);
                    together.await(30, TimeUnit.SECONDS);
                    kit.migrate();
                    users.migrate();
                    users.add("admin", "an admin password".toCharArray(), Role.ADMIN);
                    return kit.isMigrated() && users.isMigrated();
                }));
            }
            for (Future<Boolean> start : starts) {
                assertTrue(start.get(120, TimeUnit.SECONDS), "migrated, as seen by that instance");
            }
        } finally {
            pools.forEach(HikariDataSource::close);
        }
    }

    private static HikariDataSource poolLike(HikariDataSource database) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.getJdbcUrl());
        config.setUsername(database.getUsername());
        config.setPassword(database.getPassword());
        config.setMaximumPoolSize(10); // as `hiring serve` has it: Flyway takes more than one
        return new HikariDataSource(config);
    }

    private static void assertSchemaWhole(HikariDataSource database) throws Exception {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            for (String history : List.of("flyway_schema_history", "flyway_server_history")) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT version), bool_and(success) FROM "
                        + history + " WHERE version IS NOT NULL")) {
                    rs.next();
                    assertEquals(rs.getLong(1), rs.getLong(2), history + ": each version applied once");
                    assertTrue(rs.getBoolean(3), history + ": every migration succeeded");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                    + " AND conname IN ('hired_employees_department_fk', 'hired_employees_job_fk') AND convalidated")) {
                rs.next();
                assertEquals(2, rs.getLong(1), "both foreign keys, validated");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_indexes WHERE indexname = 'hired_employees_datetime_idx'")) {
                rs.next();
                assertEquals(1, rs.getLong(1), "the report index");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
                rs.next();
                assertEquals(1, rs.getLong(1), "one admin");
            }
        }
    }
}
