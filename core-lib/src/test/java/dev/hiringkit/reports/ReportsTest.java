package dev.hiringkit.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both reports on the real data against an answer computed here in plain Java from the CSV files and
 * the data rules; then the edge cases, on databases in other time zones and collations.
 */
class ReportsTest {

    @TempDir
    Path archive;

    // ---- the real data -------------------------------------------------------------------------

    /** A hire that passes the data rules, read without the library. */
    private record Hire(int department, int job, Instant at) {
    }

    private static List<String[]> records(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).lines().filter(l -> !l.isEmpty())
                .map(l -> l.split(",", -1)).toList();
    }

    private static Map<Integer, String> names(Path file) throws IOException {
        Map<Integer, String> names = new HashMap<>();
        records(file).forEach(r -> names.put(Integer.parseInt(r[0]), r[1]));
        return names;
    }

    private static List<Hire> validHires(Path dir, Map<Integer, String> departments, Map<Integer, String> jobs)
            throws IOException {
        List<Hire> hires = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String[] r : records(dir.resolve("hired_employees.csv"))) {
            if (Arrays.stream(r).anyMatch(String::isBlank)) {
                continue;
            }
            int department = Integer.parseInt(r[3]);
            int job = Integer.parseInt(r[4]);
            if (departments.containsKey(department) && jobs.containsKey(job) && ids.add(r[0])) {
                hires.add(new Hire(department, job, OffsetDateTime.parse(r[2]).toInstant()));
            }
        }
        return hires;
    }

    private static int compareBytes(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bothReportsOnTheRealDataMatchAnIndependentComputation() throws Exception {
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            HiringKit kit = kit(dataSource);
            kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
            Path dir = RealData.dir();
            Map<Integer, String> departments = names(dir.resolve("departments.csv"));
            Map<Integer, String> jobs = names(dir.resolve("jobs.csv"));
            List<Hire> hires = validHires(dir, departments, jobs);

            for (int year : new int[] {2021, 2020, 2022}) {
                // Report 1: counts per (department, job) and quarter, in UTC.
                Map<List<Integer>, long[]> counts = new HashMap<>();
                for (Hire h : hires) {
                    OffsetDateTime utc = h.at().atOffset(ZoneOffset.UTC);
                    if (utc.getYear() == year) {
                        counts.computeIfAbsent(List.of(h.department(), h.job()), k -> new long[4])
                                [(utc.getMonthValue() - 1) / 3]++;
                    }
                }
                List<String> expected = counts.entrySet().stream()
                        .sorted(Comparator.<Map.Entry<List<Integer>, long[]>, String>comparing(
                                        e -> departments.get(e.getKey().get(0)), ReportsTest::compareBytes)
                                .thenComparing(e -> jobs.get(e.getKey().get(1)), ReportsTest::compareBytes)
                                .thenComparing(e -> e.getKey().get(0))
                                .thenComparing(e -> e.getKey().get(1)))
                        .map(e -> departments.get(e.getKey().get(0)) + "," + jobs.get(e.getKey().get(1)) + ","
                                + e.getValue()[0] + "," + e.getValue()[1] + "," + e.getValue()[2] + "," + e.getValue()[3])
                        .toList();
                HiresByQuarter report = kit.reports().hiresByQuarter(year);
                assertEquals(expected, report.rows().stream().map(ReportsTest::line).toList(), "year " + year);
                assertEquals(expected.size(), report.totalRows());
                assertEquals(counts.values().stream().mapToLong(c -> c[0] + c[1] + c[2] + c[3]).sum(),
                        report.totals().total());

                // Report 2: departments strictly above the mean over all departments.
                Map<Integer, Long> perDepartment = new HashMap<>();
                departments.keySet().forEach(d -> perDepartment.put(d, 0L));
                hires.stream().filter(h -> h.at().atOffset(ZoneOffset.UTC).getYear() == year)
                        .forEach(h -> perDepartment.merge(h.department(), 1L, Long::sum));
                double mean = perDepartment.values().stream().mapToLong(Long::longValue).average().orElse(0);
                List<String> above = perDepartment.entrySet().stream()
                        .filter(e -> e.getValue() > mean)
                        .sorted(Map.Entry.<Integer, Long>comparingByValue().reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                        .map(e -> e.getKey() + "," + departments.get(e.getKey()) + "," + e.getValue())
                        .toList();
                DepartmentsAboveMean answer = kit.reports().departmentsAboveMean(year);
                assertEquals(above, answer.departments().stream()
                        .map(d -> d.id() + "," + d.department() + "," + d.hired()).toList(), "year " + year);
                assertEquals(mean, answer.mean(), 1e-9);
                assertEquals(departments.size(), answer.departmentCount());
            }
        }
    }

    private static String line(HiresByQuarter.Row r) {
        return r.department() + "," + r.job() + "," + r.hires().q1() + "," + r.hires().q2() + "," + r.hires().q3()
                + "," + r.hires().q4();
    }

    @Test
    void pagesCoverTheWholeReportAndCarryItsTotals() throws Exception {
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            HiringKit kit = kit(dataSource);
            kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
            HiresByQuarter whole = kit.reports().hiresByQuarter(2021);
            List<HiresByQuarter.Row> paged = new ArrayList<>();
            for (int offset = 0; ; offset += 50) {
                HiresByQuarter page = kit.reports().hiresByQuarter(2021, offset, 50);
                assertEquals(whole.totalRows(), page.totalRows());
                assertEquals(whole.totals(), page.totals());
                paged.addAll(page.rows());
                if (!page.hasMore()) {
                    break;
                }
            }
            assertEquals(whole.rows(), paged);
            HiresByQuarter past = kit.reports().hiresByQuarter(2021, whole.totalRows() + 10, 5);
            assertTrue(past.rows().isEmpty());
            assertEquals(whole.totals(), past.totals());
        }
    }

    // ---- edge cases ------------------------------------------------------------------------------

    private static final String ICU_DATABASE = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'";

    @Test
    void edgeCasesInUtc() {
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            checkEdgeCases(dataSource);
        }
    }

    @Test
    void edgeCasesWithJvmAndDatabaseInBogotaAndANonCCollation() throws Exception {
        TimeZone before = TimeZone.getDefault();
        try (HikariDataSource dataSource = TestDatabase.newDatabase(ICU_DATABASE)) {
            try (var c = dataSource.getConnection(); var s = c.createStatement()) {
                s.execute("ALTER DATABASE " + c.getCatalog() + " SET timezone TO 'America/Bogota'");
            }
            // The driver sends the JVM's zone when it connects, and the pool refills at once: set it first.
            TimeZone.setDefault(TimeZone.getTimeZone("America/Bogota"));
            dataSource.getHikariPoolMXBean().softEvictConnections();
            try (var c = dataSource.getConnection(); var s = c.createStatement();
                    var rs = s.executeQuery("SELECT current_setting('TimeZone'), 'a' < 'B'")) {
                rs.next();
                assertEquals("America/Bogota", rs.getString(1));
                assertTrue(rs.getBoolean(2), "the database's collation should sort 'a' before 'B'");
            }
            checkEdgeCases(dataSource);
        } finally {
            TimeZone.setDefault(before);
        }
    }

    private void checkEdgeCases(HikariDataSource dataSource) {
        HiringKit kit = kit(dataSource);
        kit.repository().insert(Batch.builder()
                .addAll(List.of(new Department(1, "a lower"), new Department(2, "Z upper"), new Department(3, "B upper"),
                        new Department(4, "no hires"), new Department(5, "Z upper")))
                .addAll(List.of(new Job(1, "job"), new Job(2, "Job")))
                .addAll(List.of(hire(1, "2021-03-31T23:59:59Z", 1, 1),
                        hire(2, "2021-04-01T00:00:00Z", 1, 1),
                        // 2021 in UTC, though 2020 where it was written.
                        hire(3, "2020-12-31T23:30:00-05:00", 1, 2),
                        hire(4, "2021-12-31T23:59:59Z", 2, 1),
                        hire(5, "2021-07-01T00:00:00Z", 3, 2),
                        hire(6, "2021-09-30T23:59:59Z", 3, 2),
                        hire(7, "2021-06-15T12:00:00Z", 5, 1),
                        // Outside 2021 in UTC.
                        hire(8, "2022-01-01T00:00:00Z", 2, 1),
                        hire(9, "2020-12-31T23:59:59Z", 2, 1),
                        hire(10, "2021-01-01T04:59:59+05:00", 2, 2)))
                .build());

        HiresByQuarter report = kit.reports().hiresByQuarter(2021);
        // Byte order: upper case before lower case; equal names then by id.
        assertEquals(List.of(
                        "B upper,Job,0,0,2,0",
                        "Z upper,job,0,0,0,1",
                        "Z upper,job,0,1,0,0",
                        "a lower,Job,1,0,0,0",
                        "a lower,job,1,1,0,0"),
                report.rows().stream().map(ReportsTest::line).toList());
        assertEquals(List.of(2, 5), report.rows().subList(1, 3).stream().map(HiresByQuarter.Row::departmentId).toList());
        assertEquals(new HiresByQuarter.Quarters(2, 2, 2, 1), report.totals());

        // Hires in 2021: department 1 -> 3, 2 -> 1, 3 -> 2, 4 -> 0, 5 -> 1; mean 7 / 5 = 1.4.
        DepartmentsAboveMean above = kit.reports().departmentsAboveMean(2021);
        assertEquals(1.4, above.mean(), 1e-12);
        assertEquals(5, above.departmentCount());
        assertEquals(7, above.totalHired());
        assertEquals(List.of(1, 3), above.departments().stream().map(DepartmentsAboveMean.Department::id).toList());

        // Ties and equality with the mean: 2022 has one hire (department 2) -> mean 0.2, only 2 above.
        assertEquals(List.of(2), kit.reports().departmentsAboveMean(2022).departments().stream()
                .map(DepartmentsAboveMean.Department::id).toList());

        // A year with no hires: empty report, mean 0, nobody above it.
        HiresByQuarter empty = kit.reports().hiresByQuarter(1999);
        assertTrue(empty.rows().isEmpty());
        assertEquals(0, empty.totalRows());
        DepartmentsAboveMean none = kit.reports().departmentsAboveMean(1999);
        assertEquals(0.0, none.mean());
        assertTrue(none.departments().isEmpty());

        // Two departments tied above the mean are ordered by id.
        kit.repository().insert(Batch.ofHiredEmployees(List.of(hire(11, "2023-05-05T00:00:00Z", 5, 1),
                hire(12, "2023-05-05T00:00:00Z", 3, 1))));
        assertEquals(List.of(3, 5), kit.reports().departmentsAboveMean(2023).departments().stream()
                .map(DepartmentsAboveMean.Department::id).toList());
    }

    private static HiredEmployee hire(int id, String at, int department, int job) {
        return new HiredEmployee(id, "Employee " + id, OffsetDateTime.parse(at).toInstant(), department, job);
    }

    private HiringKit kit(HikariDataSource dataSource) {
        HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
        kit.migrate();
        return kit;
    }
}
