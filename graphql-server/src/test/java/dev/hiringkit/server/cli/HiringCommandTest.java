package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.reports.DepartmentsAboveMean;
import dev.hiringkit.reports.HiresByQuarter;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in-process against a PostgreSQL given by URL, as a user would run it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HiringCommandTest {

    private HikariDataSource dataSource;
    private String url;
    @TempDir
    Path archive;

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
        url = CliRunner.urlWithCredentials(dataSource);
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    private CliRunner.Run hiring(String... args) {
        return new CliRunner(url, archive.toString()).run(args);
    }

    @Test
    void loadsTheRealDataPrintsTheSummaryAndASecondLoadChangesNothing() {
        CliRunner.Run first = hiring("load", "--dir", RealData.dir().toString());
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().contains("hired_employees  1999"), first.out());
        assertTrue(first.out().lines().anyMatch(l -> l.matches("hired_employees\\s+MISSING_FIELD\\s+\\d+")), first.out());
        HiringKit kit = HiringKit.builder().dataSource(dataSource).build();
        long employees = kit.repository().count(Table.HIRED_EMPLOYEES);
        assertEquals(12, kit.repository().count(Table.DEPARTMENTS));
        assertEquals(183, kit.repository().count(Table.JOBS));

        CliRunner.Run second = hiring("load", "--dir", RealData.dir().toString());
        assertEquals(0, second.exitCode(), second.err());
        assertEquals(employees, kit.repository().count(Table.HIRED_EMPLOYEES));
        assertTrue(second.out().lines().anyMatch(l -> l.matches("hired_employees\\s+1999\\s+0\\s+1999\\s.*")),
                second.out());

        // The reports as CSV are the library's answers, row for row.
        CliRunner.Run csv = hiring("report", "hires-by-quarter", "--year", "2021", "--format", "csv");
        assertEquals(0, csv.exitCode(), csv.err());
        HiresByQuarter report = kit.reports().hiresByQuarter(2021);
        List<String> lines = csv.out().lines().toList();
        assertEquals("department,job,q1,q2,q3,q4", lines.get(0));
        assertEquals(report.rows().size() + 1, lines.size());
        HiresByQuarter.Row firstRow = report.rows().get(0);
        assertEquals(String.join(",", quoteIfNeeded(firstRow.department()), quoteIfNeeded(firstRow.job()),
                "" + firstRow.hires().q1(), "" + firstRow.hires().q2(), "" + firstRow.hires().q3(),
                "" + firstRow.hires().q4()), lines.get(1));

        CliRunner.Run above = hiring("report", "departments-above-mean", "--format", "csv");
        DepartmentsAboveMean expected = kit.reports().departmentsAboveMean(2021);
        List<String> expectedLines = new ArrayList<>(List.of("id,department,hired"));
        expected.departments().forEach(d -> expectedLines.add(d.id() + "," + d.department() + "," + d.hired()));
        assertEquals(expectedLines, above.out().lines().toList());

        CliRunner.Run rejections = hiring("rejections", "--limit", "3");
        assertEquals(0, rejections.exitCode(), rejections.err());
        assertTrue(rejections.out().contains("DUPLICATE_ID"), rejections.out());
    }

    private static String quoteIfNeeded(String value) {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    @Test
    void aMissingFileIsAClearErrorNotAStackTrace() {
        CliRunner.Run run = hiring("load", "--table", "jobs", "no-such-file.csv");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("error: SOURCE_NOT_FOUND: No such file: no-such-file.csv"), run.err());
        assertTrue(!run.err().contains("\tat "), run.err());
    }

    @Test
    void aDirectoryWithoutJobsCsvLoadsNothing(@TempDir Path dir) throws java.io.IOException {
        java.nio.file.Files.copy(RealData.dir().resolve("departments.csv"), dir.resolve("departments.csv"));
        java.nio.file.Files.copy(RealData.dir().resolve("hired_employees.csv"), dir.resolve("hired_employees.csv"));
        HiringKit kit = HiringKit.builder().dataSource(dataSource).build();
        kit.migrate();
        List<java.util.UUID> before = kit.repository().loads(1000).stream().map(l -> l.loadId()).toList();

        CliRunner.Run run = hiring("load", "--dir", dir.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("error: SOURCE_NOT_FOUND: The directory " + dir + " has no jobs.csv"),
                run.err());
        assertEquals(before, kit.repository().loads(1000).stream().map(l -> l.loadId()).toList());
    }

    @Test
    void anUnknownTableIsAClearError() {
        CliRunner.Run run = hiring("load", "--table", "people", "x.csv");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("UNKNOWN_TABLE"), run.err());
    }
}
