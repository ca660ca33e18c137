package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.testing.TestTools;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium for the page tests, and the checks they share: axe-core's audit and walks by
 * Tab. Where Chromium or chromedriver is missing, the test class that asks for one is skipped with a
 * notice; with HIRING_REQUIRE_TOOLS=1 (as CI sets) it fails instead.
 */
final class TestBrowser implements AutoCloseable {

    static final String CHROME = System.getProperty("hiring.test.chrome", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("hiring.test.chromedriver", "/usr/bin/chromedriver");
    static final Path TARGET = Path.of("target");

    /** axe-core, pinned: the npm package's file, kept in the test resources (see axe/README.md there). */
    private static final String AXE_VERSION = "4.14.1";
    private static final String AXE = "axe/axe-" + AXE_VERSION + ".min.js";
    /** The impacts that fail a test; moderate and minor ones are printed only. */
    private static final Set<String> BLOCKING = Set.of("serious", "critical");

    /** Describes the focused element: tag, id, and its name as a person would read it. */
    private static final String FOCUSED = """
            const e = document.activeElement;
            if (!e || e === document.body) { return 'body'; }
            const label = e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].textContent : '')
                || e.textContent || e.getAttribute('title') || '';
            return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + label.trim().replace(/\\s+/g, ' ').slice(0, 60) + '"';
            """;

    /** Marks and describes every control a person can reach: focusable, enabled and shown. */
    private static final String MARK_CONTROLS = """
            const controls = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
              .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0
                && getComputedStyle(e).visibility !== 'hidden');
            controls.forEach((e, i) => { e.dataset.tabCheck = String(i); });
            return controls.map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "'
              + (e.getAttribute('aria-label') || e.textContent || e.name || '').trim().replace(/\\s+/g, ' ').slice(0, 60) + '"');
            """;

    /**
     * The contrast of the focused element's outline with what it is drawn on: the parent's background
     * (the element's own for an outline drawn inside it). No outline, or one under 2px, is 0.
     */
    private static final String RING_CONTRAST = """
            const rgba = (s) => { const m = /rgba?\\(([^)]+)\\)/.exec(s); if (!m) { return null; }
              const p = m[1].split(',').map(parseFloat); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
            const background = (e) => {
              for (; e; e = e.parentElement) {
                const c = rgba(getComputedStyle(e).backgroundColor);
                if (c && c.a > 0) { return { r: c.r * c.a + 255 * (1 - c.a), g: c.g * c.a + 255 * (1 - c.a), b: c.b * c.a + 255 * (1 - c.a) }; }
              }
              return { r: 255, g: 255, b: 255 };
            };
            const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
              return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
            let e = document.activeElement;
            if (e.closest('.CodeMirror')) { e = e.closest('.CodeMirror'); }
            const style = getComputedStyle(e);
            if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) { return 0; }
            const ring = rgba(style.outlineColor);
            const next = parseFloat(style.outlineOffset) < 0 ? background(e) : background(e.parentElement);
            const a = lum(ring), b = lum(next);
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            """;

    final ChromeDriver driver;
    final WebDriverWait wait;
    private String axeSource;

    private TestBrowser(ChromeDriver driver) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    /** Starts Chromium with its profile in {@code profile}, or skips (or fails, in CI) the calling test class. */
    static TestBrowser start(Class<?> test, Path profile) throws IOException {
        TestTools.requireOrSkip(test, Files.isExecutable(Path.of(CHROME)), "No browser at " + CHROME
                + ": install chromium and chromium-driver (.ci/run does) or set -Dhiring.test.chrome");
        TestTools.requireOrSkip(test, Files.isExecutable(Path.of(CHROMEDRIVER)), "No chromedriver at " + CHROMEDRIVER
                + ": install chromium-driver (.ci/run does) or set -Dhiring.test.chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROME);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1000", "--user-data-dir=" + profile,
                // Charts draw at once rather than animate, so a screenshot shows them whole.
                "--force-prefers-reduced-motion");
        // The driver is given, so Selenium Manager has nothing to look up or download.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        Files.createDirectories(TARGET);
        return new TestBrowser(new ChromeDriver(service, options));
    }

    /** A rule axe found broken on the page: its id, impact, what it asks, and the elements that break it. */
    record Violation(String id, String impact, String help, List<String> targets) {
        boolean blocking() {
            return BLOCKING.contains(impact);
        }

        @Override
        public String toString() {
            return id + " (" + impact + ", " + targets.size() + " nodes): " + help + " "
                    + targets.stream().limit(5).toList() + (targets.size() > 5 ? "..." : "");
        }
    }

    /** Runs axe-core on the page as it is now (every rule but the experimental ones) and answers what it found. */
    List<Violation> axe() {
        if (axeSource == null) {
            try (InputStream in = TestBrowser.class.getClassLoader().getResourceAsStream(AXE)) {
                axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!Boolean.TRUE.equals(driver.executeScript("return typeof window.axe === 'object';"))) {
            driver.executeScript(axeSource);
        }
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> found = (List<Map<String, Object>>) driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                      targets: v.nodes.map(n => n.target.join(' ')) }))))
                  .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), targets: [] }]));
                """);
        List<Violation> violations = new ArrayList<>();
        for (Map<String, Object> v : found) {
            @SuppressWarnings("unchecked")
            List<String> targets = (List<String>) v.get("targets");
            violations.add(new Violation((String) v.get("id"), String.valueOf(v.get("impact")), (String) v.get("help"),
                    targets));
        }
        return violations;
    }

    /** Runs axe on the page, prints every violation it finds and answers the serious and critical ones. */
    List<Violation> blockingViolations(String page) {
        List<Violation> violations = axe();
        System.out.println("axe-core " + AXE_VERSION + " on " + page + ": " + (violations.isEmpty() ? "no violation"
                : violations.stream().map(Violation::toString).collect(Collectors.joining("\n  ", "\n  ", ""))));
        return violations.stream().filter(Violation::blocking).map(v -> new Violation(v.id(), v.impact(),
                page + ": " + v.help(), v.targets())).toList();
    }

    /** Fails on any serious or critical violation axe finds on the page; prints every violation found. */
    void assertAccessible(String page) {
        assertNoBlocking(blockingViolations(page));
    }

    static void assertNoBlocking(List<Violation> blocking) {
        assertTrue(blocking.isEmpty(), "axe-core found serious or critical violations:\n"
                + blocking.stream().map(Violation::toString).collect(Collectors.joining("\n")));
    }

    /** What a walk by Tab found: the controls it never reached, and the focus rings under 3:1. */
    record TabWalk(List<String> missed, List<String> weakRings) {
    }

    /**
     * Presses Tab, from wherever the focus is, until every visible control of the page has had the
     * focus or twice their number of presses went by, measuring each focus ring on the way.
     */
    TabWalk tabThroughEveryControl() {
        @SuppressWarnings("unchecked")
        List<String> controls = (List<String>) driver.executeScript(MARK_CONTROLS);
        Set<Integer> reached = new HashSet<>();
        List<String> weakRings = new ArrayList<>();
        for (int i = 0; i < 2 * controls.size() + 4 && reached.size() < controls.size(); i++) {
            tab();
            Object index = driver.executeScript("return document.activeElement.dataset.tabCheck || null;");
            if (index != null) {
                reached.add(Integer.parseInt(index.toString()));
                String weak = weakFocusRing();
                if (weak != null) {
                    weakRings.add(weak);
                }
            }
        }
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < controls.size(); i++) {
            if (!reached.contains(i)) {
                missed.add(controls.get(i));
            }
        }
        return new TabWalk(missed, weakRings);
    }

    /**
     * The focused element and its focus ring's contrast when under 3:1 (WCAG 1.4.11) against the
     * colour next to it, or null. An editor's ring is its frame's.
     */
    String weakFocusRing() {
        double ratio = ((Number) driver.executeScript(RING_CONTRAST)).doubleValue();
        return ratio >= 3 ? null : focused() + String.format(" ring %.2f:1", ratio);
    }

    /** The focused element, described as tag, id and name. */
    String focused() {
        return (String) driver.executeScript(FOCUSED);
    }

    /** Presses Tab once, as a person would: the key goes to whatever has the focus. */
    void tab() {
        new Actions(driver).sendKeys(Keys.TAB).perform();
    }

    /** Presses Shift+Tab once. */
    void shiftTab() {
        new Actions(driver).keyDown(Keys.SHIFT).sendKeys(Keys.TAB).keyUp(Keys.SHIFT).perform();
    }

    /** Presses keys one after another on whatever has the focus. */
    void press(CharSequence... keys) {
        new Actions(driver).sendKeys(keys).perform();
    }

    void screenshot(String name) throws IOException {
        Files.write(TARGET.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
