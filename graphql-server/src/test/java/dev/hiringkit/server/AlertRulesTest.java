package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.testing.TestTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The example alerting rules in deploy/prometheus are rules Prometheus loads ({@code promtool check rules}),
 * and fire when they should and only then ({@code promtool test rules} with their unit-test file).
 */
class AlertRulesTest {

    private static final Path RULES_DIR = Path.of("..", "deploy", "prometheus");

    @Test
    void theRulesLoadAndTheirUnitTestsPass() throws Exception {
        Path promtool = TestTools.require(AlertRulesTest.class, "/usr/bin/promtool", "prometheus");
        assertTrue(Files.isRegularFile(RULES_DIR.resolve("hiring-alerts.yml")), RULES_DIR.toAbsolutePath().toString());

        String check = run(promtool, "check", "rules", "hiring-alerts.yml");
        assertTrue(check.contains("SUCCESS: 4 rules found"), check);

        String test = run(promtool, "test", "rules", "hiring-alerts-test.yml");
        assertTrue(test.contains("SUCCESS"), test);
    }

    /** promtool's output, once it has exited 0 (in the rules' directory, where the test file names them). */
    private static String run(Path promtool, String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = promtool.toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Process process = new ProcessBuilder(command).directory(RULES_DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        return output;
    }
}
