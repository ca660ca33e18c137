package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.reports.DepartmentsAboveMean;
import dev.hiringkit.reports.HiresByQuarter;
import dev.hiringkit.repository.LoadOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Times both reports through the library against the best hand-written SQL over plain JDBC, on the same
 * database in the same run. Usage: {@code bench/run-reports [--employees N] [--runs R]}.
 */
public final class ReportsBenchmark {

    // The best hand-written form: the year's bounds as literals, which the server reads once (a bound
    // parameter sent as text would be cast to timestamptz for every row).
    private static final String HAND_HIRES_BY_QUARTER = """
            SELECT d.department, j.job, c.q1, c.q2, c.q3, c.q4
            FROM (SELECT department_id, job_id,
                         count(*) FILTER (WHERE datetime < timestamptz '%2$s') AS q1,
                         count(*) FILTER (WHERE datetime >= timestamptz '%2$s' AND datetime < timestamptz '%3$s') AS q2,
                         count(*) FILTER (WHERE datetime >= timestamptz '%3$s' AND datetime < timestamptz '%4$s') AS q3,
                         count(*) FILTER (WHERE datetime >= timestamptz '%4$s') AS q4
                  FROM hired_employees
                  WHERE datetime >= timestamptz '%1$s' AND datetime < timestamptz '%5$s'
                  GROUP BY department_id, job_id) c
            JOIN departments d ON d.id = c.department_id
            JOIN jobs j ON j.id = c.job_id
            ORDER BY d.department COLLATE "C", j.job COLLATE "C", c.department_id, c.job_id
            """;

    private static final String HAND_ABOVE_MEAN = """
            WITH per AS (SELECT department_id, count(*) AS hires FROM hired_employees
                         WHERE datetime >= timestamptz '%1$s' AND datetime < timestamptz '%5$s'
                         GROUP BY department_id),
                 all_departments AS (SELECT d.id, d.department, coalesce(p.hires, 0) AS hires,
                                            avg(coalesce(p.hires, 0)) OVER () AS mean
                                     FROM departments d LEFT JOIN per p ON p.department_id = d.id)
            SELECT id, department, hires, mean FROM all_departments WHERE hires > mean ORDER BY hires DESC, id
            """;

    private ReportsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs options = BenchArgs.parse(args, 5_000_000, 15);
        run(options.employees(), options.runs());
    }

    static void run(long employees, int runs) throws Exception {
        Path work = WorkDirectory.deletedAtExit("reports");
        try (BenchDatabase server = new BenchDatabase(work.resolve("postgres"));
                HikariDataSource pool = server.create("reports")) {
            Path data = work.resolve("data");
            System.out.printf("Generating %,d hired employees...%n", employees);
            DataGenerator.builder().employees(employees).seed(42).build().writeTo(data);
            HiringKit kit = HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(work.resolve("archive")))
                    .build();
            kit.migrate();
            kit.repository().loadDirectory(data, LoadOptions.defaults());
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                // Index-only scans need the visibility map a fresh load has not got yet.
                s.execute("VACUUM ANALYZE");
            }
            int year = 2021;
            checkSameAnswers(kit, pool, year);

            double[][] quarter = compare(runs, () -> kit.reports().hiresByQuarter(year).rows().size(),
                    () -> handHiresByQuarter(pool, year));
            double[][] mean = compare(runs, () -> kit.reports().departmentsAboveMean(year).departments().size(),
                    () -> handAboveMean(pool, year));

            System.out.printf(Locale.ROOT, "%nReports on %,d hired employees, year %d, median of %d runs each%n",
                    employees, year, runs);
            System.out.printf(Locale.ROOT, "%-24s %12s %12s %8s %8s%n", "report", "library ms", "JDBC ms", "ratio",
                    "target");
            print("hires by quarter", quarter);
            print("departments above mean", mean);
        }
    }

    private static void print(String name, double[][] times) {
        double library = Timings.median(times[0]);
        double jdbc = Timings.median(times[1]);
        System.out.printf(Locale.ROOT, "%-24s %12.1f %12.1f %8.2f %8s%n", name, library, jdbc, library / jdbc, "<= 1.20");
    }

    /** Times both sides alternately, after warming both up, so drift in the machine hits both alike. */
    private static double[][] compare(int runs, Callable<Integer> library, Callable<Integer> jdbc) throws Exception {
        for (int i = 0; i < 3; i++) {
            library.call();
            jdbc.call();
        }
        double[][] times = new double[2][runs];
        for (int i = 0; i < runs; i++) {
            times[0][i] = Timings.millis(library);
            times[1][i] = Timings.millis(jdbc);
        }
        return times;
    }

    /** The benchmark is only fair if both sides give the same answer. */
    private static void checkSameAnswers(HiringKit kit, HikariDataSource pool, int year) throws SQLException {
        HiresByQuarter library = kit.reports().hiresByQuarter(year);
        List<String> hand = handRows(pool, year);
        List<String> mine = library.rows().stream().map(r -> r.department() + "|" + r.job() + "|" + r.hires().q1()
                + "|" + r.hires().q2() + "|" + r.hires().q3() + "|" + r.hires().q4()).toList();
        if (!hand.equals(mine)) {
            throw new IllegalStateException("hires by quarter: the library and the hand-written SQL disagree");
        }
        DepartmentsAboveMean above = kit.reports().departmentsAboveMean(year);
        if (above.departments().size() != handAboveMean(pool, year)) {
            throw new IllegalStateException("departments above mean: the library and the hand-written SQL disagree");
        }
    }

    private static int handHiresByQuarter(HikariDataSource pool, int year) throws SQLException {
        return handRows(pool, year).size();
    }

    private static List<String> handRows(HikariDataSource pool, int year) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(bounds(HAND_HIRES_BY_QUARTER, year))) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3) + "|" + rs.getLong(4) + "|"
                            + rs.getLong(5) + "|" + rs.getLong(6));
                }
            }
        }
        return rows;
    }

    private static int handAboveMean(HikariDataSource pool, int year) throws SQLException {
        int count = 0;
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(bounds(HAND_ABOVE_MEAN, year))) {
                while (rs.next()) {
                    rs.getInt(1);
                    rs.getString(2);
                    rs.getLong(3);
                    count++;
                }
            }
        }
        return count;
    }

    /** The SQL with %1$s..%5$s replaced by the starts of Q1..Q4 and of the next year. */
    private static String bounds(String sql, int year) {
        return String.format(Locale.ROOT, sql, quarter(year, 1), quarter(year, 2), quarter(year, 3), quarter(year, 4),
                quarter(year + 1, 1));
    }

    private static OffsetDateTime quarter(int year, int quarter) {
        return OffsetDateTime.of(year, 3 * quarter - 2, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    }
}
