package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.ChildJvm;
import dev.hiringkit.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hiring serve} opens its database on a thread of its own while it builds the server: it says it is
 * ready only once both are done, and a database it cannot open still fails the command with one line.
 */
class ServeStartTest {

    @TempDir
    Path dir;

    @Test
    void fromTheFirstReadyAnswerOnAGraphQLRequestIsAnswered() throws Exception {
        try (HikariDataSource database = TestDatabase.newDatabase()) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            // A database never migrated: the opening thread migrates it while the server is built.
            ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(List.of(), HiringCommand.class, "serve",
                    "--port", "" + port, "--db-url", CliRunner.urlWithCredentials(database),
                    "--data-dir", dir.resolve("data").toString(), "--shutdown-drain", "0"))
                    .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
            builder.environment().put("HIRING_ADMIN_PASSWORD", "an admin password");
            Process serve = builder.start();
            try {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                URI base = URI.create("http://127.0.0.1:" + port);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                // Asked without a pause, so that a ready answer given too early would be seen.
                while (status(http, HttpRequest.newBuilder(base.resolve("/health/ready")).build()) != 200) {
                    assertTrue(serve.isAlive(), () -> "hiring serve ended: " + read("out.txt") + read("err.txt"));
                    assertTrue(System.nanoTime() < deadline, "hiring serve never said it was ready");
                }
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/graphql"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ __typename }\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode(), answer.body());
                assertEquals("{\"data\":{\"__typename\":\"Query\"}}", answer.body());
                assertTrue(read("out.txt").contains("Created the user admin with HIRING_ADMIN_PASSWORD."),
                        read("out.txt"));
                // The head start's threads log nothing before logging is set up: no SLF4J replay warning.
                assertFalse(read("err.txt").contains("SLF4J"), read("err.txt"));
            } finally {
                serve.destroy();
                if (!serve.waitFor(60, TimeUnit.SECONDS)) {
                    serve.destroyForcibly();
                }
            }
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedFailsServeWithOneLine() {
        CliRunner.Run run = CliRunner.execute("serve", "--port", "0", "--db-url", "jdbc:postgresql://127.0.0.1:1/hiring",
                "--data-dir", dir.resolve("data").toString(), "--db-connect-timeout", "1");
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("error: DATABASE_UNAVAILABLE: Could not connect to jdbc:postgresql://127.0.0.1:1/hiring"),
                run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.out().isEmpty(), "nothing about a server that never started: " + run.out());
    }

    /** The status of a GET, or -1 while nothing listens. */
    private static int status(HttpClient http, HttpRequest request) throws InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notListening) {
            return -1;
        }
    }

    private String read(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            return "";
        }
    }
}
