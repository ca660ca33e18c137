package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The GraphiQL page in a real headless Chromium: usable by keyboard alone, clean in axe-core's
 * audit, and its tabs as the user left them after a reload.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphiQLBrowserTest {

    /** The code editors (CodeMirror) keep Tab to indent; the page's way out is Escape, then Tab. */
    private static final String IN_EDITOR = "return document.activeElement.closest('.CodeMirror') !== null;";
    private static final String ON_RUN = "return document.activeElement.matches('.graphiql-execute-button');";

    @TempDir
    static Path dir;
    private TestServer server;
    private TestBrowser chrome;
    private ChromeDriver browser;

    @BeforeAll
    void start() throws Exception {
        chrome = TestBrowser.start(GraphiQLBrowserTest.class, dir.resolve("profile"));
        browser = chrome.driver;
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true);
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

    /** Each test starts from a first visit: no tabs saved by another. */
    @BeforeEach
    void firstVisit() {
        browser.get(server.base.resolve("/graphiql").toString());
        browser.executeScript("localStorage.clear();");
        reload();
    }

    @Test
    void axeFindsNothingSeriousSignedInWithAnAnswer() throws Exception {
        signIn();
        run();
        chrome.screenshot("graphiql.png");
        chrome.assertAccessible("GraphiQL, signed in, with an answer");
    }

    @Test
    void axeFindsNothingSeriousWithSeveralTabs() {
        signIn();
        browser.findElement(By.cssSelector(".graphiql-tab-add")).click();
        chrome.wait.until(d -> tabs() == 2);
        chrome.assertAccessible("GraphiQL with two tabs");
    }

    @Test
    void tabAloneReachesRunAndEnterRunsTheQuery() throws Exception {
        List<String> walk = new ArrayList<>();
        List<String> weakRings = new ArrayList<>();
        boolean onRun = false;
        boolean indented = false;
        for (int i = 0; i < 60 && !onRun; i++) {
            if (Boolean.TRUE.equals(browser.executeScript(IN_EDITOR))) {
                if (!indented) {
                    // Tab alone stays in the editor (it indents); Escape first lets it move on.
                    chrome.tab();
                    assertTrue((Boolean) browser.executeScript(IN_EDITOR), "Tab alone left the editor");
                    indented = true;
                }
                chrome.press(Keys.ESCAPE);
            }
            chrome.tab();
            walk.add(chrome.focused());
            String weak = chrome.weakFocusRing();
            if (weak != null) {
                weakRings.add(weak);
            }
            onRun = Boolean.TRUE.equals(browser.executeScript(ON_RUN));
        }
        assertEquals(List.of(), weakRings, "focus rings under 3:1");
        assertTrue(onRun, "Tab never reached Run: " + walk);
        assertTrue(indented, "the walk never entered the query editor: " + walk);
        System.out.println("Tab to Run in GraphiQL: " + walk);
        chrome.screenshot("graphiql-run-focused.png");

        // Escape then Shift+Tab goes back into the editor and out of it the other way.
        chrome.shiftTab();
        assertTrue((Boolean) browser.executeScript(IN_EDITOR), chrome.focused());
        chrome.press(Keys.ESCAPE);
        chrome.shiftTab();
        assertFalse((Boolean) browser.executeScript(IN_EDITOR), chrome.focused());
        for (int i = 0; i < 3 && !Boolean.TRUE.equals(browser.executeScript(ON_RUN)); i++) {
            chrome.tab();
            if (Boolean.TRUE.equals(browser.executeScript(IN_EDITOR))) {
                chrome.press(Keys.ESCAPE);
            }
        }
        assertTrue((Boolean) browser.executeScript(ON_RUN), chrome.focused());

        // Run offers the operations of the editor; Enter picks the first, and its answer shows.
        chrome.press(Keys.ENTER);
        if (!browser.findElements(By.cssSelector("[role=menu]")).isEmpty()) {
            chrome.press(Keys.ENTER);
        }
        chrome.wait.until(d -> response().contains("\"errors\"") || response().contains("\"data\""));
    }

    @Test
    void theEditorsAreNamedAndThePageHasItsLandmarks() {
        assertEquals(1, browser.findElements(By.cssSelector("main")).size());
        assertEquals("HiringKit GraphiQL", browser.findElement(By.cssSelector("h1")).getText());
        String keys = browser.findElement(By.id("keys")).getText();
        assertTrue(keys.contains("Esc then Tab"), keys);
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) browser.executeScript("""
                return [...document.querySelectorAll('.CodeMirror [role=textbox], .CodeMirror textarea')]
                  .map(e => e.getAttribute('aria-label') + ' / ' + e.getAttribute('aria-describedby'));""");
        assertEquals(List.of("Query editor / keys", "Variables editor / keys", "Headers editor / keys", "Response / keys"),
                names);
    }

    @Test
    void tabsStayAsTheUserLeftThemAcrossReloads() {
        assertEquals(1, shownTabs());
        reloadOnceSaved(1);
        reloadOnceSaved(1);
        assertEquals(1, shownTabs());

        signIn();
        browser.findElement(By.cssSelector(".graphiql-tab-add")).click();
        chrome.wait.until(d -> shownTabs() == 2);
        browser.findElement(By.cssSelector(".graphiql-query-editor .CodeMirror-code")).click();
        chrome.press("{ me { username } }");
        chrome.wait.until(d -> String.valueOf(browser.executeScript("return localStorage.getItem('graphiql:tabState');"))
                .contains("me { username }"));
        reloadOnceSaved(2);
        reloadOnceSaved(2);
        assertEquals(2, shownTabs());
        assertEquals("true", browser.findElement(By.id("graphiql-session-tab-1")).getDomAttribute("aria-current"),
                "the tab left open is open again");
        assertTrue(browser.findElement(By.cssSelector(".graphiql-query-editor .CodeMirror-code")).getText()
                .contains("me { username }"));
    }

    @Test
    void signingInLeavesNoPasswordInTheFormAndSendsTheToken() {
        signIn();
        assertEquals("", browser.findElement(By.id("password")).getDomProperty("value"));
        assertEquals("reader", browser.findElement(By.id("username")).getDomProperty("value"));
        run();
        assertTrue(response().contains("\"hiresByQuarter\""), response());
        // The token travels with the request, not in the Headers editor that GraphiQL saves.
        String saved = String.valueOf(browser.executeScript("return JSON.stringify(localStorage);"));
        assertFalse(saved.contains("Bearer eyJ"), saved);
    }

    /**
     * GraphiQL's own introspection query (graphql-js's, nine levels of ofType) is answered: the Docs pane
     * shows the schema, and an example runs. Before, the data's depth limit refused it and the pane said
     * "Error fetching schema".
     */
    @Test
    void theDocsPaneListsTheSchemaAndAnExampleRuns() throws Exception {
        signIn();
        browser.findElement(By.cssSelector("button[aria-label='Show Documentation Explorer']")).click();
        chrome.wait.until(d -> docs().contains("Root Types") || docs().contains("Error"));
        assertFalse(docs().contains("Error fetching schema"), docs());
        browser.findElements(By.cssSelector(".graphiql-doc-explorer a, .graphiql-doc-explorer button")).stream()
                .filter(e -> e.getText().equals("Query")).findFirst().orElseThrow(() -> new AssertionError(docs())).click();
        chrome.wait.until(d -> docs().contains("hiresByQuarter"));
        assertTrue(docs().contains("departmentsAboveMean"), docs());
        chrome.screenshot("graphiql-docs.png");
        run();
        assertTrue(response().contains("\"hiresByQuarter\""), response());
        assertFalse(response().contains("not asking for introspection in good faith"), response());
        assertEquals("/favicon.ico", browser.findElement(By.cssSelector("link[rel=icon]")).getDomAttribute("href"));
    }

    /** A subscription runs over Server-Sent Events, and the response pane shows what it sends as it comes. */
    @Test
    void aSubscriptionShowsLoadsAsTheyStart() throws Exception {
        Path small = dir.resolve("small");
        java.nio.file.Files.createDirectories(small);
        java.nio.file.Files.writeString(small.resolve("departments.csv"), "1,Staffing\n");
        java.nio.file.Files.writeString(small.resolve("jobs.csv"), "1,Recruiter\n");
        java.nio.file.Files.writeString(small.resolve("hired_employees.csv"), "1,Ann,2021-01-01T00:00:00Z,1,1\n");
        signIn("writer");
        // The editor's text set as an edit would set it (CodeMirror's change events reach GraphiQL).
        browser.executeScript("document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
                + ".setValue('subscription { loadStarted { table status } }');");
        chrome.wait.until(d -> String.valueOf(browser.executeScript("return localStorage.getItem('graphiql:query');"))
                .contains("loadStarted"));
        browser.executeScript("window.__log = []; const f = window.fetch; window.fetch = async (...a) => {"
                + " window.__log.push('fetch ' + a[0] + ' ' + (a[1] && a[1].body));"
                + " try { const r = await f(...a); window.__log.push('status ' + r.status); return r; }"
                + " catch (e) { window.__log.push('error ' + e); throw e; } };");
        // GraphiQL draws itself again after sign-in (the schema, fetched with the token): a click on a button
        // it is replacing is lost, so the click is made again until the button turns to Stop.
        org.openqa.selenium.support.ui.WebDriverWait brief = new org.openqa.selenium.support.ui.WebDriverWait(browser,
                java.time.Duration.ofSeconds(3));
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                browser.findElement(By.cssSelector(".graphiql-execute-button")).click();
                brief.until(d -> String.valueOf(browser.executeScript(
                        "return document.querySelector('.graphiql-execute-button').textContent;")).contains("stop"));
                break;
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.TimeoutException e) {
                // drawn again meanwhile: once more
            }
        }
        // A load that starts once the stream is open is news to it; one that ended before is not. The
        // stream opens when the browser gets to it: loads are started until one shows (each loads the
        // three small files again, their rows refused as DUPLICATE_ID).
        String writer = server.token("writer");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!response().contains("\"loadStarted\"") && System.nanoTime() < deadline) {
            server.data(writer, "mutation { loadHistorical(source: \"small\") { id } }", null);
            Thread.sleep(1000);
        }
        chrome.screenshot("graphiql-subscription.png");
        assertTrue(response().contains("\"loadStarted\"") && response().contains("\"table\""), response()
                + " / the editor: " + browser.executeScript("return document.querySelector('.graphiql-query-editor').textContent;")
                + " / " + browser.executeScript("return window.__log.join(' | ') + ' / '"
                + " + document.querySelector('.graphiql-execute-button').getAttribute('aria-label');"));
    }

    private String docs() {
        return String.valueOf(browser.executeScript(
                "const d = document.querySelector('.graphiql-doc-explorer'); return d ? d.textContent : '';"));
    }

    @Test
    void aWrongPasswordIsRefusedAndCleared() {
        browser.findElement(By.id("username")).sendKeys("reader", Keys.TAB, "not the password", Keys.ENTER);
        chrome.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Not signed in"));
        assertEquals("", browser.findElement(By.id("password")).getDomProperty("value"));
    }

    /** How many tabs GraphiQL shows (with one, it shows no tab bar). */
    private int shownTabs() {
        return Math.max(1, browser.findElements(By.cssSelector(".graphiql-tab")).size());
    }

    /** Reloads the page once GraphiQL has saved its tabs (it waits 500 ms after a change). */
    private void reloadOnceSaved(long tabs) {
        chrome.wait.until(d -> tabs() == tabs);
        reload();
    }

    /** How many tabs GraphiQL has saved for the page. */
    private long tabs() {
        return (Long) browser.executeScript(
                "const s = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null'); return s ? s.tabs.length : 0;");
    }

    private String response() {
        return String.valueOf(browser.executeScript("return document.querySelector('.result-window').textContent;"));
    }

    private void reload() {
        browser.navigate().refresh();
        open();
    }

    /** Waits for GraphiQL's editors, named by the page. */
    private void open() {
        chrome.wait.until(d -> Boolean.TRUE.equals(browser.executeScript(
                "return document.querySelector('.graphiql-query-editor [aria-label=\"Query editor\"]') !== null;")));
        schemaLoaded();
    }

    /**
     * Waits for GraphiQL to have the schema (its editors complete with it): it draws itself again when the
     * schema arrives, and a key or click on a button it replaces then is lost.
     */
    private void schemaLoaded() {
        chrome.wait.until(d -> Boolean.TRUE.equals(browser.executeScript("const e = document.querySelector("
                + "'.graphiql-query-editor .CodeMirror'); return !!(e && e.CodeMirror && e.CodeMirror.options.hintOptions"
                + " && e.CodeMirror.options.hintOptions.schema);")));
    }

    private void signIn() {
        signIn("reader");
    }

    private void signIn(String user) {
        browser.findElement(By.id("username")).sendKeys(user, Keys.TAB, TestServer.PASSWORD, Keys.ENTER);
        chrome.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Signed in"));
    }

    /** Runs the first operation with the Run button and waits for its answer. */
    private void run() {
        // GraphiQL draws itself again after sign-in (the schema, fetched with the token): a click on a
        // button it is replacing is lost, so it is made again until an answer shows.
        org.openqa.selenium.support.ui.WebDriverWait brief = new org.openqa.selenium.support.ui.WebDriverWait(browser,
                java.time.Duration.ofSeconds(10));
        for (int attempt = 0; ; attempt++) {
            try {
                browser.findElement(By.cssSelector(".graphiql-execute-button")).click();
                List<?> menu = browser.findElements(By.cssSelector("[role=menu] [role=menuitem]"));
                if (!menu.isEmpty()) {
                    ((WebElement) menu.get(0)).click();
                }
                brief.until(d -> response().contains("\"data\""));
                return;
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.TimeoutException e) {
                if (attempt == 4) {
                    throw e;
                }
            }
        }
    }
}
