package dev.hiringkit.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs some tests need beyond a JDK: Chromium, PgBouncer, HAProxy, promtool, from Debian's packages.
 * Where one is missing the test class is skipped with a {@code SKIPPED} line saying what to install, so
 * {@code ./mvnw verify} passes on a machine with only a JDK; CI sets {@code HIRING_REQUIRE_TOOLS=1},
 * which turns a missing program into a failure instead.
 */
public final class TestTools {

    private TestTools() {
    }

    /** The program at {@code path}, or the calling test class skipped (failed in CI) naming the package. */
    public static Path require(Class<?> test, String path, String debianPackage) {
        Path program = Path.of(path);
        requireOrSkip(test, Files.isExecutable(program), "No " + program.getFileName() + " at " + path
                + ": install Debian's " + debianPackage + " (.ci/run does)");
        return program;
    }

    /** Goes on when {@code present}; otherwise skips the calling test class, or fails it in CI. */
    public static void requireOrSkip(Class<?> test, boolean present, String missing) {
        if (present) {
            return;
        }
        assertFalse("1".equals(System.getenv("HIRING_REQUIRE_TOOLS")), missing);
        System.err.println("SKIPPED " + test.getSimpleName() + ": " + missing);
        Assumptions.assumeTrue(false, missing);
    }
}
