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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line, run in-process against a PostgreSQL given by URL, as a user would run it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HiringCommandTest {

    private HikariDataSource dataSource;
    private String url;
    @TempDir
    Path archive;

    /** What a command printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
        url = urlWithCredentials(dataSource);
    }

    /** The database's JDBC URL carrying the user and password, for {@code --db-url}. */
    static String urlWithCredentials(HikariDataSource dataSource) {
        TestDatabase.Server server = TestDatabase.server();
        return dataSource.getJdbcUrl() + (dataSource.getJdbcUrl().contains("?") ? "&" : "?")
                + "user=" + server.user() + "&password=" + server.password();
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    private Run hiring(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--db-url", url, "--archive", archive.toString()));
        return execute(all.toArray(String[]::new));
    }

    /** Runs the command line in this JVM, as {@code hiring args...}. */
    static Run execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HiringCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void loadsTheRealDataPrintsTheSummaryAndASecondLoadChangesNothing() {
        Run first = hiring("load", "--dir", RealData.dir().toString());
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().contains("hired_employees  1999"), first.out());
        assertTrue(first.out().lines().anyMatch(l -> l.matches("hired_employees\\s+MISSING_FIELD\\s+\\d+")), first.out());
        HiringKit kit = HiringKit.builder().dataSource(dataSource).build();
        long employees = kit.repository().count(Table.HIRED_EMPLOYEES);
        assertEquals(12, kit.repository().count(Table.DEPARTMENTS));
        assertEquals(183, kit.repository().count(Table.JOBS));

        Run second = hiring("load", "--dir", RealData.dir().toString());
        assertEquals(0, second.exitCode(), second.err());
        assertEquals(employees, kit.repository().count(Table.HIRED_EMPLOYEES));
        assertTrue(second.out().lines().anyMatch(l -> l.matches("hired_employees\\s+1999\\s+0\\s+1999\\s.*")),
                second.out());

        // The reports as CSV are the library's answers, row for row.
        Run csv = hiring("report", "hires-by-quarter", "--year", "2021", "--format", "csv");
        assertEquals(0, csv.exitCode(), csv.err());
        HiresByQuarter report = kit.reports().hiresByQuarter(2021);
        List<String> lines = csv.out().lines().toList();
        assertEquals("department,job,q1,q2,q3,q4", lines.get(0));
        assertEquals(report.rows().size() + 1, lines.size());
        HiresByQuarter.Row firstRow = report.rows().get(0);
        assertEquals(String.join(",", quoteIfNeeded(firstRow.department()), quoteIfNeeded(firstRow.job()),
                "" + firstRow.hires().q1(), "" + firstRow.hires().q2(), "" + firstRow.hires().q3(),
                "" + firstRow.hires().q4()), lines.get(1));

        Run above = hiring("report", "departments-above-mean", "--format", "csv");
        DepartmentsAboveMean expected = kit.reports().departmentsAboveMean(2021);
        List<String> expectedLines = new ArrayList<>(List.of("id,department,hired"));
        expected.departments().forEach(d -> expectedLines.add(d.id() + "," + d.department() + "," + d.hired()));
        assertEquals(expectedLines, above.out().lines().toList());

        Run rejections = hiring("rejections", "--limit", "3");
        assertEquals(0, rejections.exitCode(), rejections.err());
        assertTrue(rejections.out().contains("DUPLICATE_ID"), rejections.out());
    }

    private static String quoteIfNeeded(String value) {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    @Test
    void aMissingFileIsAClearErrorNotAStackTrace() {
        Run run = hiring("load", "--table", "jobs", "no-such-file.csv");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("error: SOURCE_NOT_FOUND: No such file: no-such-file.csv"), run.err());
        assertTrue(!run.err().contains("\tat "), run.err());
    }

    @Test
    void anUnknownTableIsAClearError() {
        Run run = hiring("load", "--table", "people", "x.csv");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("UNKNOWN_TABLE"), run.err());
    }
}
