package dev.hiringkit.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testing.RestartablePostgres;
import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table leases that keep loads and restores of one table apart, without any session state. */
class TableLeaseTest {

    @TempDir
    static Path archive;

    private static HikariDataSource db;

    @BeforeAll
    static void migrate() {
        db = TestDatabase.newDatabase();
        HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(archive)).build().migrate();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void aLiveHolderKeepsTheTableAndGivesItBack() throws Exception {
        try (TableLease first = TableLease.acquire(db, Table.JOBS, Duration.ZERO)) {
            // The holder renews its lease every 5 s: a second load sees that and gives up.
            HiringException e = assertThrows(HiringException.class,
                    () -> TableLease.acquire(db, Table.JOBS, Duration.ZERO));
            assertEquals(HiringException.Code.LOAD_IN_PROGRESS, e.code());
            assertEquals("Another load into jobs is running; try again when it ends.", e.getMessage());
            // Another table is free.
            TableLease.acquire(db, Table.DEPARTMENTS, Duration.ZERO).close();
        }
        TableLease.acquire(db, Table.JOBS, Duration.ZERO).close();
        assertEquals(0, count("SELECT count(*) FROM table_leases WHERE table_name IN ('jobs', 'departments')"));
    }

    @Test
    void theLeaseOfADeadHolderIsTakenOnceItExpires() throws Exception {
        // What a load killed a moment ago leaves: a lease nobody renews.
        execute("INSERT INTO table_leases VALUES ('hired_employees', gen_random_uuid(), now() + interval '2 seconds')"
                + " ON CONFLICT (table_name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at");
        try (TableLease lease = TableLease.acquire(db, Table.HIRED_EMPLOYEES, Duration.ZERO)) {
            assertEquals(1, count("SELECT count(*) FROM table_leases WHERE table_name = 'hired_employees'"
                    + " AND expires_at > now() + interval '10 seconds'"), "taken for " + TableLease.DURATION);
        }
    }

    @Test
    void aChunkOfALoadThatLostItsLeaseDoesNotCommit() throws Exception {
        try (TableLease lease = TableLease.acquire(db, Table.DEPARTMENTS, Duration.ZERO)) {
            // As if the load stalled past its lease and another took the table.
            execute("UPDATE table_leases SET holder = gen_random_uuid() WHERE table_name = 'departments'");
            try (Connection chunk = db.getConnection()) {
                chunk.setAutoCommit(false);
                HiringException e = assertThrows(HiringException.class, () -> lease.confirm(chunk));
                assertEquals(HiringException.Code.LOAD_IN_PROGRESS, e.code());
                assertTrue(e.getMessage().startsWith("Another load into departments took over"), e.getMessage());
                chunk.rollback();
            }
        } finally {
            execute("DELETE FROM table_leases WHERE table_name = 'departments'");
        }
    }

    @Test
    void aRestoreIsRefusedWhileALoadHoldsATableAndHoldsItsTablesUntilItEnds() throws Exception {
        try (TableLease load = TableLease.acquire(db, Table.JOBS, Duration.ZERO); Connection restore = db.getConnection()) {
            restore.setAutoCommit(false);
            HiringException e = assertThrows(HiringException.class,
                    () -> TableLease.takeInTransaction(restore, List.of(Table.DEPARTMENTS, Table.JOBS)));
            assertEquals(HiringException.Code.LOAD_IN_PROGRESS, e.code());
            restore.rollback();
        }
        try (Connection restore = db.getConnection()) {
            restore.setAutoCommit(false);
            TableLease.takeInTransaction(restore, List.of(Table.DEPARTMENTS, Table.JOBS, Table.HIRED_EMPLOYEES));
            // While the restore's transaction is open, a load waits, finds no way in, and gives up.
            HiringException e = assertThrows(HiringException.class,
                    () -> TableLease.acquire(db, Table.JOBS, Duration.ZERO));
            assertEquals(HiringException.Code.LOAD_IN_PROGRESS, e.code());
            restore.commit();
        }
        // The restore's leases ended with its transaction.
        TableLease.acquire(db, Table.JOBS, Duration.ZERO).close();
    }

    @Test
    void aLeaseClosedWhileTheDatabaseIsDownLetsGoAtOnceAndIsGivenBackWhenItReturns(@TempDir Path data)
            throws Exception {
        try (RestartablePostgres postgres = RestartablePostgres.start(data.resolve("pgdata"))) {
            String database = postgres.newDatabase();
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(postgres.jdbcUrl(database));
            // Far longer than any wait close() may make: a close that waited on the pool would hang here.
            config.setConnectionTimeout(Duration.ofMinutes(5).toMillis());
            try (HikariDataSource pool = new HikariDataSource(config)) {
                HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(data.resolve("archive"))).build()
                        .migrate();
                TableLease lease = TableLease.acquire(pool, Table.JOBS, Duration.ZERO);
                postgres.stop();
                // A load that failed because the database died reports it without waiting for the pool.
                assertTimeoutPreemptively(Duration.ofMinutes(1), lease::close);

                postgres.startAndReconnect(List.of(pool));
                // The lease is given back in the background once the database answers again, well before
                // it would have expired, so a load resumed then need not wait for it.
                Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
                while (countIn(pool, "SELECT count(*) FROM table_leases WHERE table_name = 'jobs'") > 0) {
                    assertTrue(Instant.now().isBefore(deadline), "the lease was never given back");
                    Thread.sleep(100);
                }
                TableLease.acquire(pool, Table.JOBS, Duration.ZERO).close();
            }
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(String sql) throws SQLException {
        return countIn(db, sql);
    }

    private static long countIn(DataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
