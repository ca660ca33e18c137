package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.ChildJvm;
import dev.hiringkit.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code hiring serve} process gets a real SIGTERM ({@code Process.destroy()}) while a request is
 * in flight: the request is answered 200, a new one 503 {@code SHUTTING_DOWN}, readiness 503, and the
 * process ends by itself with exit code 0.
 */
class ServeSigtermTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "an admin password";

    @TempDir
    Path dir;

    @Test
    void sigtermFinishesTheRequestInFlightThenExitsWithZero() throws Exception {
        try (HikariDataSource database = TestDatabase.newDatabase()) {
            Process serve = serve(database);
            try {
                URI base = URI.create(awaitLine(serve, Pattern.compile("GraphQL:\\s+(http://\\S+)/graphql")));
                HttpClient http = HttpClient.newHttpClient();
                String token = JSON.readTree(http.send(HttpRequest.newBuilder(base.resolve("/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=admin&password="
                                + PASSWORD.replace(" ", "+"))).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .path("access_token").asText();
                assertEquals(200, get(http, base, "/health/ready").statusCode());

                try (Connection holder = database.getConnection()) {
                    holder.setAutoCommit(false);
                    try (Statement s = holder.createStatement()) {
                        s.execute("LOCK TABLE departments IN ACCESS EXCLUSIVE MODE");
                    }
                    CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(graphQL(base, token,
                            "{ departments(first: 1) { edges { node { id } } } }"), HttpResponse.BodyHandlers.ofString());
                    awaitLockWait(database);

                    serve.destroy(); // SIGTERM
                    await(() -> output(serve).contains("Stopping (SIGTERM)"));
                    HttpResponse<String> refused = await503(http, base, token);
                    assertEquals("SHUTTING_DOWN", JSON.readTree(refused.body()).at("/errors/0/extensions/code").asText(),
                            refused.body());
                    assertTrue(refused.headers().firstValue("Retry-After").isPresent(), refused.headers().toString());
                    HttpResponse<String> ready = get(http, base, "/health/ready");
                    assertEquals(503, ready.statusCode(), ready.body());
                    assertTrue(serve.isAlive(), "the request in flight holds the stop");
                    assertFalse(inFlight.isDone());

                    holder.commit();
                    HttpResponse<String> answered = inFlight.get(60, TimeUnit.SECONDS);
                    assertEquals(200, answered.statusCode(), answered.body());
                    JsonNode data = JSON.readTree(answered.body());
                    assertTrue(data.at("/data/departments/edges").isArray(), answered.body());
                }
                assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "the process ends once nothing is in flight");
                assertEquals(0, serve.exitValue(), output(serve) + errors(serve));
                assertFalse(errors(serve).contains("Exception"), errors(serve));
            } finally {
                serve.destroyForcibly();
            }
        }
    }

    /** {@code hiring serve} on a free port, as the launcher script runs it. */
    private Process serve(HikariDataSource database) throws Exception {
        List<String> command = ChildJvm.command(List.of(), HiringCommand.class, "serve", "--port", "0",
                "--db-url", CliRunner.urlWithCredentials(database), "--data-dir", dir.resolve("data").toString(),
                "--archive", dir.resolve("archive").toString(), "--shutdown-grace", "120", "--shutdown-drain", "1");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        builder.environment().put("HIRING_ADMIN_PASSWORD", PASSWORD);
        return builder.start();
    }

    private String output(Process process) {
        return read(dir.resolve("out.txt"));
    }

    private String errors(Process process) {
        return read(dir.resolve("err.txt"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private String awaitLine(Process process, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(output(process));
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new AssertionError("hiring serve ended: " + output(process) + errors(process));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("hiring serve never printed " + pattern + ": " + output(process) + errors(process));
    }

    /** A new request while the stop runs: the drain delay (1 s) first, then 503. */
    private static HttpResponse<String> await503(HttpClient http, URI base, String token) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            HttpResponse<String> response = http.send(graphQL(base, token, "{ jobs(first: 1) { edges { node { id } } } }"),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 503 || System.nanoTime() > deadline) {
                assertEquals(503, response.statusCode(), response.body());
                return response;
            }
            Thread.sleep(50);
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest graphQL(URI base, String token, String query) throws Exception {
        return HttpRequest.newBuilder(base.resolve("/graphql")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query)))).build();
    }

    private static void awaitLockWait(HikariDataSource database) throws Exception {
        await(() -> {
            try (Connection c = database.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND wait_event_type = 'Lock'")) {
                rs.next();
                return rs.getLong(1) > 0;
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened");
            }
            Thread.sleep(20);
        }
    }
}
