package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.reports.DepartmentsAboveMean;
import dev.hiringkit.reports.HiresByQuarter;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadStatus;
import dev.hiringkit.server.cli.HiringCommand;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.SecondChunkHold;
import dev.hiringkit.testing.TestDatabase;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard and the HTML report in a real headless Chromium, against a real server on the real
 * data: what the page shows must be the library's answers. Without Chromium the class is skipped (see
 * {@link TestBrowser}), except in CI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    /** The rows of a table's body (or foot), cell by cell, read in one call rather than one per cell. */
    private static final String TABLE_ROWS = "return [...document.querySelectorAll(arguments[0])]"
            + ".map(tr => [...tr.cells].map(c => c.textContent));";

    /** What a chart drew: its labels and data, the mean line, and how many pixels it painted. */
    private static final String CHART = """
            const canvas = document.getElementById(arguments[0]);
            const chart = canvas && Chart.getChart(canvas);
            if (!chart) { return null; }
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted++; } }
            const mean = chart.options.plugins.meanLine;
            return { labels: chart.data.labels, data: chart.data.datasets.map(d => d.data), painted,
                     mean: mean ? mean.value : null, label: canvas.getAttribute('aria-label'),
                     role: canvas.getAttribute('role') };
            """;

    @TempDir
    static Path dir;
    private TestServer server;
    private String dbUrl;
    private TestBrowser chrome;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void start() throws Exception {
        chrome = TestBrowser.start(DashboardBrowserTest.class, dir.resolve("profile"));
        browser = chrome.driver;
        wait = chrome.wait;
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, false);
        server.kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
        TestDatabase.Server database = TestDatabase.server();
        String url = server.dataSource.getJdbcUrl();
        dbUrl = url + (url.contains("?") ? "&" : "?") + "user=" + database.user() + "&password=" + database.password();
    }

    @AfterAll
    void stop() throws Exception {
        if (chrome != null) {
            chrome.close();
        }
        if (server != null) {
            server.close();
            server.dataSource.close();
        }
    }

    @Test
    void showsTheYearPickedAsTheLibraryAnswersIt() throws Exception {
        signIn("reader");
        pickYear(2022);
        assertEquals(hiresRows(server.kit.reports().hiresByQuarter(2022).rows()), rows("#hires-table tbody tr"));

        pickYear(2021);
        HiresByQuarter hires = server.kit.reports().hiresByQuarter(2021);
        DepartmentsAboveMean above = server.kit.reports().departmentsAboveMean(2021);
        assertRowByRow(hiresRows(hires.rows()), rows("#hires-table tbody tr"));
        assertEquals(List.of(List.of("Total", "" + hires.totals().q1(), "" + hires.totals().q2(),
                "" + hires.totals().q3(), "" + hires.totals().q4())), rows("#hires-table tfoot tr"));
        assertRowByRow(aboveRows(above), rows("#above-table tbody tr"));

        // Both charts drew: one stack of quarters per department, and the departments above the mean.
        Map<String, List<Long>> byDepartment = new LinkedHashMap<>();
        for (HiresByQuarter.Row r : hires.rows()) {
            List<Long> sums = byDepartment.computeIfAbsent(r.department() + "#" + r.departmentId(),
                    k -> new ArrayList<>(List.of(0L, 0L, 0L, 0L)));
            long[] q = {r.hires().q1(), r.hires().q2(), r.hires().q3(), r.hires().q4()};
            for (int i = 0; i < 4; i++) {
                sums.set(i, sums.get(i) + q[i]);
            }
        }
        Map<String, Object> hiresChart = chart("hires-chart");
        assertEquals(byDepartment.keySet().stream().map(k -> k.substring(0, k.lastIndexOf('#'))).toList(),
                hiresChart.get("labels"));
        for (int q = 0; q < 4; q++) {
            final int quarter = q;
            assertEquals(byDepartment.values().stream().map(sums -> sums.get(quarter)).toList(),
                    ((List<?>) hiresChart.get("data")).get(q), "Q" + (q + 1));
        }
        Map<String, Object> aboveChart = chart("above-chart");
        assertEquals(above.departments().stream().map(DepartmentsAboveMean.Department::department).toList(),
                aboveChart.get("labels"));
        assertEquals(List.of(above.departments().stream().map(DepartmentsAboveMean.Department::hired).toList()),
                aboveChart.get("data"));
        assertEquals(above.mean(), ((Number) aboveChart.get("mean")).doubleValue(), 1e-9);

        // Labelled for screen readers: canvases are images with a summary, tables have captions and scopes.
        for (Map<String, Object> drawn : List.of(hiresChart, aboveChart)) {
            assertEquals("img", drawn.get("role"));
            assertTrue(drawn.get("label").toString().contains("2021"), drawn.get("label").toString());
        }
        assertTrue(browser.findElement(By.cssSelector("#hires-table caption")).getText().contains("2021"));
        assertFalse(browser.findElements(By.cssSelector("#above-table thead th[scope=col]")).isEmpty());
        assertFalse(browser.findElements(By.cssSelector("#above-table tbody th[scope=row]")).isEmpty());
        // A job's title repeats across departments: the department and the job name each row together.
        assertEquals(List.of("TH row", "TH row", "TD null"), browser.executeScript(
                "return [...document.querySelector('#hires-table tbody tr').cells].slice(0, 3)"
                        + ".map(c => c.tagName + ' ' + c.getAttribute('scope'));"));
        assertEquals(List.of("Download hires by quarter as CSV", "Download departments above the mean as CSV"),
                browser.findElements(By.cssSelector("a[download]")).stream().map(WebElement::getText).toList());
        screenshot("dashboard.png");

        // Each table downloads as the CSV the command line prints.
        assertEquals(hiring("report", "hires-by-quarter", "--year", "2021", "--format", "csv"),
                downloadedCsv("#hires-title ~ .toolbar a[download]"));
        assertEquals(hiring("report", "departments-above-mean", "--year", "2021", "--format", "csv"),
                downloadedCsv("#above-title ~ .toolbar a[download]"));

        // One department's jobs: the chart and the table switch to them.
        HiresByQuarter.Row first = hires.rows().get(0);
        List<HiresByQuarter.Row> jobs = hires.rows().stream().filter(r -> r.departmentId() == first.departmentId()).toList();
        new Select(browser.findElement(By.id("hires-view"))).selectByValue("" + first.departmentId());
        assertEquals(jobs.stream().map(HiresByQuarter.Row::job).toList(), chart("hires-chart").get("labels"));
        assertRowByRow(hiresRows(jobs), rows("#hires-table tbody tr"));
        long jobHires = jobs.stream().mapToLong(r -> r.hires().q1() + r.hires().q2() + r.hires().q3() + r.hires().q4()).sum();
        assertEquals("Showing the " + jobs.size() + " jobs in " + first.department() + " for 2021: " + jobHires + " hires.",
                browser.findElement(By.id("status")).getText(), "the change of view is said in the status line");
        // The download is the view's: the command line's header and that department's lines.
        List<String> all = hiring("report", "hires-by-quarter", "--year", "2021", "--format", "csv").lines().toList();
        StringBuilder expected = new StringBuilder(all.get(0)).append("\r\n");
        for (int i = 0; i < hires.rows().size(); i++) {
            if (hires.rows().get(i).departmentId() == first.departmentId()) {
                expected.append(all.get(i + 1)).append("\r\n");
            }
        }
        assertEquals(expected.toString(), downloadedCsv("#hires-title ~ .toolbar a[download]"));
        WebElement link = browser.findElement(By.cssSelector("#hires-title ~ .toolbar a[download]"));
        assertEquals("Download hires by quarter in " + first.department() + " as CSV", link.getText());
        assertEquals("hires-by-quarter-2021-department-" + first.departmentId() + ".csv", link.getDomAttribute("download"));
        screenshot("dashboard-jobs.png");

        new Select(browser.findElement(By.id("hires-view"))).selectByValue("");
        assertEquals(hiring("report", "hires-by-quarter", "--year", "2021", "--format", "csv"),
                downloadedCsv("#hires-title ~ .toolbar a[download]"));
    }

    @Test
    void staysReadableInANarrowWindow() throws Exception {
        signIn("reader");
        try {
            // 320 CSS pixels: WCAG's reflow width, and the narrowest phones.
            browser.manage().window().setSize(new Dimension(320, 900));
            wait.until(d -> ((Number) browser.executeScript("return window.innerWidth;")).intValue() <= 320);
            assertFitsTheWidth();
            assertTrue(((Number) chart("hires-chart").get("painted")).longValue() > 0);
            screenshot("dashboard-narrow.png");
            // The department with the longest name, picked: the selector shows it and still fits.
            Select view = new Select(browser.findElement(By.id("hires-view")));
            WebElement longest = view.getOptions().stream().max(Comparator.comparingInt(o -> o.getText().length()))
                    .orElseThrow();
            view.selectByValue(longest.getDomAttribute("value"));
            assertFitsTheWidth();
            screenshot("dashboard-narrow-jobs.png");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 1000));
        }
    }

    @Test
    void anExpiredTokenAsksToSignInAgain() throws Exception {
        signIn("reader");
        server.clock.advance(Duration.ofMinutes(31));
        pickYear(2022, "Session expired: sign in again.");
        assertTrue(browser.findElement(By.id("signin")).isDisplayed());
        assertFalse(browser.findElement(By.id("controls")).isDisplayed());
        assertTrue(browser.findElements(By.cssSelector("#reports table")).isEmpty());
        assertTrue(browser.findElement(By.id("status")).getDomAttribute("class").contains("error"));

        signIn("reader");
        assertEquals(hiresRows(server.kit.reports().hiresByQuarter(2021).rows()), rows("#hires-table tbody tr"));
    }

    @Test
    void aYearWithNoHiresSaysSo() throws Exception {
        assertEquals(0, server.kit.reports().hiresByQuarter(2019).totalRows());
        signIn("reader");
        pickYear(2019, "No hires in 2019.");
        List<String> empty = browser.findElements(By.cssSelector("#reports .empty")).stream().map(WebElement::getText)
                .toList();
        assertEquals(List.of("No hires in 2019.", "No hires in 2019."), empty);
        assertTrue(browser.findElements(By.cssSelector("#reports canvas, #reports table")).isEmpty());
    }

    @Test
    void axeFindsNothingSeriousSignedOutOrIn() throws Exception {
        browser.get(server.base.resolve("/dashboard").toString());
        List<TestBrowser.Violation> blocking = new ArrayList<>(chrome.blockingViolations("the dashboard, signed out"));
        signIn("reader");
        blocking.addAll(chrome.blockingViolations("the dashboard, signed in, 2021"));
        new Select(browser.findElement(By.id("hires-view"))).selectByIndex(1);
        blocking.addAll(chrome.blockingViolations("the dashboard, one department's jobs"));
        TestBrowser.assertNoBlocking(blocking);
    }

    @Test
    void tabAloneReachesEveryControlWithAFocusRingInSight() {
        browser.get(server.base.resolve("/dashboard").toString());
        TestBrowser.TabWalk signedOut = chrome.tabThroughEveryControl();
        signIn("reader");
        TestBrowser.TabWalk signedIn = chrome.tabThroughEveryControl();
        assertEquals(List.of(), signedOut.missed(), "signed out, never reached");
        assertEquals(List.of(), signedIn.missed(), "signed in, never reached");
        assertEquals(List.of(), signedOut.weakRings(), "signed out, focus rings under 3:1");
        assertEquals(List.of(), signedIn.weakRings(), "signed in, focus rings under 3:1");
    }

    @Test
    void anInvalidYearIsExplainedAndTheOldReportCleared() {
        signIn("reader");
        for (String wrong : List.of("", "0", "9999", "20.5")) {
            WebElement input = browser.findElement(By.id("year"));
            input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
            input.sendKeys(wrong, Keys.ENTER);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "No report: the year must be"));
            assertTrue(browser.findElements(By.cssSelector("#reports section")).isEmpty(), "year '" + wrong + "'");
            assertEquals("true", input.getDomAttribute("aria-invalid"), "year '" + wrong + "'");
            assertTrue(browser.findElement(By.id("status")).getDomAttribute("class").contains("error"));
        }
        pickYear(2021);
        assertEquals("false", browser.findElement(By.id("year")).getDomAttribute("aria-invalid"));
        assertFalse(rows("#hires-table tbody tr").isEmpty());
    }

    @Test
    void aWrongPasswordIsRefusedInThePage() {
        browser.get(server.base.resolve("/dashboard").toString());
        browser.findElement(By.id("username")).sendKeys("writer");
        browser.findElement(By.id("password")).sendKeys("not the password", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Not signed in:"));
        assertTrue(browser.findElement(By.id("signin")).isDisplayed());
        assertTrue(browser.findElements(By.cssSelector("#reports table")).isEmpty());
    }

    @Test
    void theHtmlReportIsOneFileWithTheSameTablesAndCharts() throws Exception {
        Path hiresFile = dir.resolve("hires.html");
        Path aboveFile = dir.resolve("above.html");
        assertEquals("", hiring("report", "hires-by-quarter", "--year", "2021", "--format", "html", "--out",
                hiresFile.toString()));
        assertEquals("", hiring("report", "departments-above-mean", "--year", "2021", "--format", "html", "--out",
                aboveFile.toString()));

        browser.get(hiresFile.toUri().toString());
        wait.until(d -> chart("hires-chart") != null);
        // Nothing is fetched: no script, style or image comes from elsewhere.
        assertEquals(0L, browser.executeScript("return document.querySelectorAll('[src], link[href]').length;"));
        assertRowByRow(hiresRows(server.kit.reports().hiresByQuarter(2021).rows()), rows("#hires-table tbody tr"));
        assertTrue(((Number) chart("hires-chart").get("painted")).longValue() > 0);
        assertEquals(hiring("report", "hires-by-quarter", "--year", "2021", "--format", "csv"),
                downloadedCsv("a[download]"));
        screenshot("report.png");
        chrome.assertAccessible("the saved HTML report");

        browser.get(aboveFile.toUri().toString());
        wait.until(d -> chart("above-chart") != null);
        DepartmentsAboveMean above = server.kit.reports().departmentsAboveMean(2021);
        assertRowByRow(aboveRows(above), rows("#above-table tbody tr"));
        assertEquals(above.mean(), ((Number) chart("above-chart").get("mean")).doubleValue(), 1e-9);
        assertTrue(((Number) chart("above-chart").get("painted")).longValue() > 0);
    }

    /**
     * A load that runs shows with its counts and a moving bar, followed as the server streams its
     * progress, and leaves the list once it is done. A database of its own, so the reports of the other
     * tests stay the real data's.
     */
    @Test
    void aRunningLoadShowsWithItsProgress() throws Exception {
        java.nio.file.Path data = dir.resolve("generated");
        dev.hiringkit.testdata.DataGenerator.builder().employees(120_000).seed(3).build().writeTo(data);
        try (TestServer other = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive-loads"), dir, false);
                SecondChunkHold hold = SecondChunkHold.install(other.dataSource)) {
            // Held after its first chunk of hired employees (50,000 rows) until the page has shown it.
            other.data(other.token("writer"), "mutation { loadHistorical(source: \"generated\", async: true) { id } }", null);
            wait.until(d -> other.kit.repository().loads(3).stream().anyMatch(l -> l.table() == dev.hiringkit.Table.HIRED_EMPLOYEES
                    && l.status() == LoadStatus.RUNNING));
            browser.get(other.base.resolve("/dashboard").toString());
            browser.findElement(By.id("username")).sendKeys("reader", Keys.TAB, TestServer.PASSWORD, Keys.ENTER);
            wait.until(d -> browser.findElement(By.id("loads")).isDisplayed());
            String line = browser.findElement(By.cssSelector("#load-list li")).getText();
            assertTrue(line.startsWith("hired_employees from hired_employees.csv: "), line);
            assertEquals("load-list", browser.findElement(By.cssSelector("#load-list li progress"))
                    .findElement(By.xpath("../..")).getDomAttribute("id"));
            screenshot("dashboard-running-load.png");
            TestBrowser.assertNoBlocking(chrome.blockingViolations("the dashboard with a running load"));
            hold.release();
            // The counts move as the server streams them, and the load leaves the list once it is done:
            // waits long enough for a machine busy with other builds.
            WebDriverWait patient = new WebDriverWait(browser, java.time.Duration.ofSeconds(180));
            patient.until(d -> !browser.findElement(By.id("loads")).isDisplayed()
                    || !browser.findElement(By.cssSelector("#load-list li")).getText().equals(line));
            patient.until(d -> other.kit.repository().loads(1).get(0).status() == LoadStatus.DONE);
            patient.until(d -> !browser.findElement(By.id("loads")).isDisplayed());
            hold.remove();
            hold.close(); // before the pool closes, which would wait for it
            other.dataSource.close();
        }
    }

    /** Signs in through the form with the keyboard alone and waits for the default year's reports. */
    private void signIn(String user) {
        browser.get(server.base.resolve("/dashboard").toString());
        WebElement name = browser.findElement(By.id("username"));
        name.clear();
        name.sendKeys(user, Keys.TAB, TestServer.PASSWORD, Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Showing 2021"));
        assertEquals("2021", browser.findElement(By.id("year")).getDomProperty("value"));
    }

    private void pickYear(int year) {
        pickYear(year, "Showing " + year);
    }

    private void pickYear(int year, String expectedStatus) {
        WebElement input = browser.findElement(By.id("year"));
        input.clear();
        input.sendKeys("" + year, Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), expectedStatus));
    }

    /** The page never scrolls sideways: a table too wide scrolls inside its own region. */
    private void assertFitsTheWidth() {
        assertTrue((Boolean) browser.executeScript(
                "return document.documentElement.scrollWidth <= window.innerWidth;"), "the page scrolls sideways: "
                + browser.executeScript("return document.documentElement.scrollWidth + ' > ' + window.innerWidth;"));
        assertTrue((Boolean) browser.executeScript("return [...document.querySelectorAll('.table-scroll, canvas, select, a, button, input')]"
                + ".every(e => e.getBoundingClientRect().right <= window.innerWidth);"), "a control, table or chart overflows");
    }

    private List<List<String>> rows(String selector) {
        @SuppressWarnings("unchecked")
        List<List<String>> rows = (List<List<String>>) browser.executeScript(TABLE_ROWS, selector);
        return rows;
    }

    private Map<String, Object> chart(String id) {
        @SuppressWarnings("unchecked")
        Map<String, Object> chart = (Map<String, Object>) browser.executeScript(CHART, id);
        return chart;
    }

    private String downloadedCsv(String selector) {
        String href = browser.findElement(By.cssSelector(selector)).getDomAttribute("href");
        String prefix = "data:text/csv;charset=utf-8,";
        assertTrue(href.startsWith(prefix), href);
        return URLDecoder.decode(href.substring(prefix.length()).replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private void screenshot(String name) throws Exception {
        chrome.screenshot(name);
    }

    /** Runs the command line in-process on the test's database; fails unless it succeeds. */
    private String hiring(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--db-url", dbUrl, "--archive", dir.resolve("archive").toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = HiringCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertEquals(0, cli.execute(all.toArray(String[]::new)), err.toString());
        return out.toString();
    }

    private static void assertRowByRow(List<List<String>> expected, List<List<String>> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "row " + (i + 1));
        }
        assertEquals(expected.size(), actual.size(), "rows");
    }

    private static List<List<String>> hiresRows(List<HiresByQuarter.Row> rows) {
        return rows.stream().map(r -> List.of(r.department(), r.job(), "" + r.hires().q1(), "" + r.hires().q2(),
                "" + r.hires().q3(), "" + r.hires().q4())).toList();
    }

    private static List<List<String>> aboveRows(DepartmentsAboveMean report) {
        return report.departments().stream().map(d -> List.of("" + d.id(), d.department(), "" + d.hired())).toList();
    }
}
