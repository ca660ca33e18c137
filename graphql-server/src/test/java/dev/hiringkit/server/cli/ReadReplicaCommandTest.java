package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.testing.RestartablePostgres;
import dev.hiringkit.testing.TestStandby;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hiring report --db-read-url}: the report is answered by the standby, and is the primary's; with
 * the standby stopped the command still answers, from the primary.
 */
class ReadReplicaCommandTest {

    /** How many times the standby has scanned hired_employees, as its own statistics count. */
    private static final String SCANS = "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)"
            + " FROM pg_stat_user_tables WHERE relname = 'hired_employees'";

    @TempDir
    Path dir;

    @Test
    void aReportReadsFromTheStandbyWhileItIsUpAndFromThePrimaryWhenItIsNot() throws Exception {
        try (RestartablePostgres primary = RestartablePostgres.start(dir.resolve("primary"))) {
            String database = primary.newDatabase();
            try (HikariDataSource pool = primary.newPool(database)) {
                HiringKit kit = HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(dir.resolve("archive")))
                        .build();
                kit.migrate();
                kit.repository().insert(Batch.builder()
                        .addAll(List.of(new Department(1, "Engineering"), new Department(2, "Sales")))
                        .addAll(List.of(new Job(1, "Engineer"), new Job(2, "Seller")))
                        .addAll(hires(50))
                        .build());
            }
            String primaryUrl = primary.jdbcUrl(database);
            try (TestStandby standby = TestStandby.start(primaryUrl, dir.resolve("standby"))) {
                standby.awaitCatchUp(Duration.ofSeconds(30));
                CliRunner.Run fromPrimary = report("--db-url", primaryUrl);
                assertEquals(0, fromPrimary.exitCode(), fromPrimary.err());
                assertTrue(fromPrimary.out().contains("Engineering"), fromPrimary.out());

                long scansBefore = scans(standby);
                CliRunner.Run fromStandby = report("--db-url", primaryUrl, "--db-read-url", standby.jdbcUrl());
                assertEquals(0, fromStandby.exitCode(), fromStandby.err());
                assertEquals(fromPrimary.out(), fromStandby.out());
                awaitScansAbove(standby, scansBefore);

                standby.stop();
                CliRunner.Run standbyDown = report("--db-url", primaryUrl, "--db-read-url", standby.jdbcUrl());
                assertEquals(0, standbyDown.exitCode(), standbyDown.err());
                assertEquals(fromPrimary.out(), standbyDown.out());
            }
        }
    }

    @Test
    void aNegativeMaxReplicaLagIsOneLineSayingSo() {
        CliRunner.Run run = report("--db-url", "jdbc:postgresql://localhost:1/none", "--db-read-url",
                "jdbc:postgresql://localhost:1/none", "--max-replica-lag", "-1");
        assertEquals(1, run.exitCode(), run.out());
        assertEquals("error: INVALID_ARGUMENT: --max-replica-lag is a number of seconds, 0 or more, not -1",
                run.err().strip());
    }

    private CliRunner.Run report(String... database) {
        List<String> args = new ArrayList<>(List.of("report", "hires-by-quarter", "--format", "csv", "--archive",
                dir.resolve("archive").toString(), "--data-dir", dir.resolve("data").toString()));
        args.addAll(List.of(database));
        return CliRunner.execute(args.toArray(String[]::new));
    }

    private static List<HiredEmployee> hires(int count) {
        List<HiredEmployee> hires = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            hires.add(new HiredEmployee(id, "Employee " + id,
                    Instant.parse("2021-01-01T00:00:00Z").plus(Duration.ofDays(id * 7L % 365)), 1 + id % 2, 1 + id % 3 % 2));
        }
        return hires;
    }

    /** Statistics reach the view when the reading session ends: waits for the count to pass {@code before}. */
    private static void awaitScansAbove(TestStandby standby, long before) throws Exception {
        Instant deadline = Instant.now().plusSeconds(20);
        long now;
        while ((now = scans(standby)) <= before) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the standby never read hired_employees for the report (scans: " + now + ")");
            }
            Thread.sleep(100);
        }
    }

    private static long scans(TestStandby standby) throws SQLException {
        try (Connection c = DriverManager.getConnection(standby.jdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(SCANS)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
