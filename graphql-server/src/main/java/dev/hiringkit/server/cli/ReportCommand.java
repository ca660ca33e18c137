package dev.hiringkit.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hiringkit.reports.DepartmentsAboveMean;
import dev.hiringkit.reports.HiresByQuarter;
import dev.hiringkit.reports.Reports;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hiring report}: the two hiring reports as a table, CSV, JSON or a self-contained HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Prints a hiring report for a year (UTC).", "",
                "hires-by-quarter: hires per department and job in each quarter, ordered by department then job.",
                "departments-above-mean: departments that hired more than the mean of all departments."})
final class ReportCommand implements Callable<Integer> {

    enum Name { HIRES_BY_QUARTER, DEPARTMENTS_ABOVE_MEAN }

    enum Format { TABLE, CSV, JSON, HTML }

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Parameters(index = "0", paramLabel = "REPORT", description = "hires-by-quarter or departments-above-mean")
    String report;

    @Option(names = "--year", defaultValue = "" + Reports.DEFAULT_YEAR, description = "The year (default: ${DEFAULT-VALUE}).")
    int year;

    @Option(names = "--format", defaultValue = "table",
            description = "table, csv, json or html: one page with the table and chart (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Writes the report to FILE instead of standard output.")
    Path outFile;

    @Override
    public Integer call() throws IOException {
        Name name = parse(Name.class, report.replace('-', '_'), "REPORT", "hires-by-quarter or departments-above-mean");
        Format as = parse(Format.class, format, "--format", "table, csv, json or html");
        // Written whole once made, so a failure leaves no half-written file.
        StringWriter text = new StringWriter();
        try (HiringRuntime runtime = HiringRuntime.start(database); PrintWriter out = new PrintWriter(text)) {
            Reports reports = runtime.kit().reports();
            if (name == Name.HIRES_BY_QUARTER) {
                print(reports.hiresByQuarter(year), as, out);
            } else {
                print(reports.departmentsAboveMean(year), as, out);
            }
        }
        if (outFile != null) {
            Files.writeString(outFile, text.toString(), StandardCharsets.UTF_8);
        } else {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private <E extends Enum<E>> E parse(Class<E> type, String value, String what, String expected) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    what + " must be " + expected + ", not '" + value + "'");
        }
    }

    static void print(HiresByQuarter report, Format format, PrintWriter out) throws IOException {
        switch (format) {
            case JSON -> out.println(json(report));
            case HTML -> out.print(HtmlReport.page("Hires by quarter, " + report.year(), Map.of("hiresByQuarter", report)));
            case CSV -> {
                CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder()
                        .setHeader("department", "job", "q1", "q2", "q3", "q4").get());
                for (HiresByQuarter.Row r : report.rows()) {
                    csv.printRecord(r.department(), r.job(), r.hires().q1(), r.hires().q2(), r.hires().q3(),
                            r.hires().q4());
                }
                csv.flush();
            }
            case TABLE -> {
                TextTable table = new TextTable("department", "job", "Q1", "Q2", "Q3", "Q4");
                report.rows().forEach(r -> table.row(r.department(), r.job(), r.hires().q1(), r.hires().q2(),
                        r.hires().q3(), r.hires().q4()));
                table.row("total", "", report.totals().q1(), report.totals().q2(), report.totals().q3(),
                        report.totals().q4());
                table.print(out);
                out.printf("%d department and job pairs hired in %d.%n", report.totalRows(), report.year());
            }
        }
    }

    static void print(DepartmentsAboveMean report, Format format, PrintWriter out) throws IOException {
        switch (format) {
            case JSON -> out.println(json(report));
            case HTML -> out.print(HtmlReport.page("Departments above the mean, " + report.year(),
                    Map.of("departmentsAboveMean", report)));
            case CSV -> {
                CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader("id", "department", "hired").get());
                for (DepartmentsAboveMean.Department d : report.departments()) {
                    csv.printRecord(d.id(), d.department(), d.hired());
                }
                csv.flush();
            }
            case TABLE -> {
                TextTable table = new TextTable("id", "department", "hired");
                report.departments().forEach(d -> table.row(d.id(), d.department(), d.hired()));
                table.print(out);
                out.printf(Locale.ROOT, "Mean in %d: %.2f hires over %d departments (%d hires in all).%n",
                        report.year(), report.mean(), report.departmentCount(), report.totalHired());
            }
        }
    }

    private static String json(Object report) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
    }
}
