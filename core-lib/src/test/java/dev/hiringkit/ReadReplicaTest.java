package dev.hiringkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.ReplicaStatus.ReadsFrom;
import dev.hiringkit.ReplicaStatus.Reason;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.reports.Reports;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.testing.RestartablePostgres;
import dev.hiringkit.testing.TestStandby;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports and lookups on a real streaming-replication standby: they equal the primary's once it has
 * caught up; while it is too far behind (replay paused) or down they come from the primary and stay
 * right; they go back to it once it has caught up; writes never go to it.
 */
class ReadReplicaTest {

    private static final Duration MAX_LAG = Duration.ofSeconds(2);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path directory;

    private static RestartablePostgres primary;
    private static TestStandby standby;
    private static String database;
    private static HikariDataSource primaryPool;
    private static HikariDataSource standbyPool;

    @BeforeAll
    static void startPrimaryAndStandby() {
        primary = RestartablePostgres.start(directory.resolve("primary"));
        database = primary.newDatabase();
        primaryPool = primary.newPool(database);
        HiringKit.builder().dataSource(primaryPool).archive(ArchiveStore.directory(directory.resolve("archive")))
                .build().migrate();
        standby = TestStandby.start(primary.jdbcUrl(database), directory.resolve("standby"));
        standbyPool = standby.newPool(database);
    }

    @AfterAll
    static void stop() {
        if (standbyPool != null) {
            standbyPool.close();
        }
        if (primaryPool != null) {
            primaryPool.close();
        }
        if (standby != null) {
            standby.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @Test
    void readsUseTheStandbyWhileItIsCaughtUpAndThePrimaryOtherwise() throws Exception {
        AtomicInteger standbyConnections = new AtomicInteger();
        HiringKit kit = HiringKit.builder().dataSource(primaryPool)
                .readDataSource(counting(standbyPool, standbyConnections))
                .maxReplicaLag(MAX_LAG)
                .archive(ArchiveStore.directory(directory.resolve("archive")))
                .build();
        Reports onPrimary = HiringKit.builder().dataSource(primaryPool)
                .archive(ArchiveStore.directory(directory.resolve("archive"))).build().reports();

        // Written while reads may already go to the standby: writes go to the primary (the standby is
        // read-only, an insert there would fail) and never take a standby connection.
        int before = standbyConnections.get();
        kit.repository().insert(Batch.builder()
                .addAll(List.of(new Department(1, "Engineering"), new Department(2, "Sales"), new Department(3, "Legal")))
                .addAll(List.of(new Job(1, "Engineer"), new Job(2, "Seller")))
                .addAll(hires(1, 40))
                .build());
        assertEquals(before, standbyConnections.get(), "a write took a connection of the standby");

        standby.awaitCatchUp(PATIENCE);
        awaitStatus(kit, s -> s.readsFrom() == ReadsFrom.REPLICA);
        before = standbyConnections.get();
        assertEquals(onPrimary.hiresByQuarter(2021), kit.reports().hiresByQuarter(2021));
        assertEquals(onPrimary.departmentsAboveMean(2021), kit.reports().departmentsAboveMean(2021));
        assertEquals("Sales", kit.repository().department(2).orElseThrow().department());
        assertEquals(40, kit.repository().hiredEmployees(null, 100).items().size());
        assertTrue(standbyConnections.get() >= before + 4, "the reads did not use the standby");

        // Replay paused and the primary written to: the standby falls behind, past the limit.
        standby.pauseReplay();
        kit.repository().insert(Batch.ofHiredEmployees(hires(41, 30)));
        ReplicaStatus behind = awaitStatus(kit, s -> s.readsFrom() == ReadsFrom.PRIMARY);
        assertEquals(Reason.TOO_FAR_BEHIND, behind.reason());
        assertTrue(behind.lag().orElseThrow().compareTo(MAX_LAG) > 0, behind.toString());
        assertEquals("40", query(standby.jdbcUrl(), "SELECT count(*) FROM hired_employees"),
                "the paused standby should not have the new hires");
        before = standbyConnections.get();
        assertEquals(onPrimary.hiresByQuarter(2021), kit.reports().hiresByQuarter(2021));
        assertEquals(70, kit.repository().hiredEmployees(null, 100).items().size());
        assertEquals(before, standbyConnections.get(), "a read went to the standby while it was too far behind");

        standby.resumeReplay();
        standby.awaitCatchUp(PATIENCE);
        ReplicaStatus back = awaitStatus(kit, s -> s.readsFrom() == ReadsFrom.REPLICA);
        assertEquals(Reason.CAUGHT_UP, back.reason());
        before = standbyConnections.get();
        assertEquals(onPrimary.hiresByQuarter(2021), kit.reports().hiresByQuarter(2021));
        assertTrue(standbyConnections.get() > before, "the reads did not go back to the standby");

        // The standby stops: reads go to the primary and stay right; started again, it is used again.
        standby.stop();
        kit.repository().insert(Batch.ofHiredEmployees(hires(71, 10)));
        assertEquals(onPrimary.hiresByQuarter(2021), kit.reports().hiresByQuarter(2021));
        assertEquals(onPrimary.departmentsAboveMean(2021), kit.reports().departmentsAboveMean(2021));
        assertEquals(80, kit.repository().hiredEmployees(null, 100).items().size());
        assertEquals(Reason.UNREACHABLE, awaitStatus(kit, s -> s.reason() == Reason.UNREACHABLE).reason());
        standby.start();
        standby.awaitCatchUp(PATIENCE);
        awaitStatus(kit, s -> s.readsFrom() == ReadsFrom.REPLICA);
        before = standbyConnections.get();
        assertEquals(onPrimary.hiresByQuarter(2021), kit.reports().hiresByQuarter(2021));
        assertTrue(standbyConnections.get() > before, "the reads did not go back to the standby after its restart");
        assertNotEquals(Reason.NO_REPLICA, kit.replicaStatus().reason());
    }

    @Test
    void withoutAReadDataSourceEverythingReadsFromThePrimary() {
        HiringKit kit = HiringKit.builder().dataSource(primaryPool)
                .archive(ArchiveStore.directory(directory.resolve("archive"))).build();
        ReplicaStatus status = kit.replicaStatus();
        assertEquals(ReadsFrom.PRIMARY, status.readsFrom());
        assertEquals(Reason.NO_REPLICA, status.reason());
        assertTrue(status.lag().isEmpty());
    }

    @Test
    void aReadDataSourceThatIsNotAStandbyIsNotUsed() throws Exception {
        AtomicInteger readConnections = new AtomicInteger();
        // A second pool on the primary itself: not in recovery, so not a replica of anything.
        try (HikariDataSource notAStandby = primary.newPool(database)) {
            HiringKit kit = HiringKit.builder().dataSource(primaryPool).readDataSource(counting(notAStandby, readConnections))
                    .archive(ArchiveStore.directory(directory.resolve("archive"))).build();
            ReplicaStatus status = awaitStatus(kit, s -> s.reason() != Reason.NOT_MEASURED);
            assertEquals(Reason.NOT_A_STANDBY, status.reason());
            assertEquals(ReadsFrom.PRIMARY, status.readsFrom());
            int before = readConnections.get();
            kit.reports().hiresByQuarter(2021);
            assertEquals(before, readConnections.get());
        }
    }

    /** Hires in 2021, spread over the quarters, departments and jobs. */
    private static List<HiredEmployee> hires(int firstId, int count) {
        List<HiredEmployee> hires = new ArrayList<>();
        for (int id = firstId; id < firstId + count; id++) {
            Instant at = Instant.parse("2021-01-01T00:00:00Z").plus(Duration.ofDays(id * 9L % 365));
            hires.add(new HiredEmployee(id, "Employee " + id, at, 1 + id % 3 % (id % 7 == 0 ? 1 : 3), 1 + id % 2));
        }
        return hires;
    }

    private static ReplicaStatus awaitStatus(HiringKit kit, Predicate<ReplicaStatus> wanted) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            ReplicaStatus status = kit.replicaStatus();
            if (wanted.test(status)) {
                return status;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the replica status never became what the test waits for; now " + status);
            }
            kit.reports().departmentsAboveMean(2021); // reads, as a running application's would
            Thread.sleep(100);
        }
    }

    /**
     * {@code dataSource}, counting the connections it hands out to the test's thread: the reads and
     * writes the test makes, not the lag measurements made in the background.
     */
    private static DataSource counting(DataSource dataSource, AtomicInteger connections) {
        Thread test = Thread.currentThread();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(dataSource, args);
                        if (method.getName().equals("getConnection") && Thread.currentThread() == test) {
                            connections.incrementAndGet();
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static String query(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
