package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops under a running server and starts again: meanwhile every path answers a quick JSON
 * 503 with {@code DATABASE_UNAVAILABLE} and {@code Retry-After}, and afterwards the same server works
 * again without a restart. The test runs a PostgreSQL of its own (a fixed data directory and port) so
 * that it can stop it; the pool waits for a connection as long as {@code hiring serve} does by default.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageTest {

    /** What the issue allows for an answer while the database is down; the pool waits 3 s of it. */
    private static final Duration QUICK = Duration.ofSeconds(5);
    private static final String DEPARTMENTS = "{ departments(first: 5) { edges { node { id department } } } }";

    @TempDir
    static Path dir;
    private int port;
    private EmbeddedPostgres postgres;
    private HikariDataSource pool;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        postgres = startPostgres();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://localhost:" + port + "/postgres");
        config.setUsername("postgres");
        config.setPassword("postgres");
        config.setMaximumPoolSize(8);
        // As long as `hiring serve` waits by default (--db-connect-timeout).
        config.setConnectionTimeout(3_000);
        pool = new HikariDataSource(config);
        server = new TestServer(pool, dir.resolve("archive"), dir, true);
    }

    private EmbeddedPostgres startPostgres() throws Exception {
        // The same directory and port each time: the pool's URL stays valid and the data stays.
        return EmbeddedPostgres.builder().setDataDirectory(dir.resolve("postgres").toFile()).setCleanDataDirectory(false)
                .setPort(port).setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyPathAnswers503WhileTheDatabaseIsDownAndTheServerRecoversAfter() throws Exception {
        String writer = server.token("writer");
        assertEquals(0, server.data(writer, DEPARTMENTS, null).at("/departments/edges").size());

        postgres.close();
        postgres = null;

        assertGraphQLUnavailable(() -> server.post(writer, DEPARTMENTS, null));
        assertGraphQLUnavailable(() -> server.post(writer, "mutation { ingest(input: {departments: [{id: 1, department:"
                + " \"Staff\"}]}) { inserted } }", null));
        assertGraphQLUnavailable(() -> server.post(null, "mutation { login(username: \"reader\", password: \"correct horse"
                + " battery\") { accessToken } }", null));
        assertGraphQLUnavailable(() -> server.http.send(HttpRequest.newBuilder(server.base.resolve("/graphql?query="
                + URLEncoder.encode(DEPARTMENTS, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + writer)
                .GET().build(), HttpResponse.BodyHandlers.ofString()));
        HttpResponse<String> token = timed(() -> server.form("/token", "grant_type=password&username=reader"
                + "&password=correct+horse+battery", null));
        assertEquals(503, token.statusCode(), token.body());
        assertRetryAfter(token);
        assertEquals("temporarily_unavailable", TestServer.JSON.readTree(token.body()).path("error").asText(), token.body());
        assertClean(token.body());
        HttpResponse<String> health = timed(() -> server.http.send(HttpRequest.newBuilder(server.base.resolve("/health"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(503, health.statusCode(), health.body());
        assertRetryAfter(health);
        JsonNode down = TestServer.JSON.readTree(health.body());
        assertEquals("DOWN", down.path("database").asText(), health.body());
        assertEquals("DATABASE_UNAVAILABLE", down.at("/errors/0/extensions/code").asText(), health.body());

        postgres = startPostgres();

        // The pool reconnects on its own: no restart of the server.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && server.http.send(HttpRequest.newBuilder(server.base.resolve("/health"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
            Thread.sleep(100);
        }
        String reader = server.token("reader");
        assertEquals(0, server.data(reader, DEPARTMENTS, null).at("/departments/edges").size());
        assertEquals(1, server.data(writer, "mutation { ingest(input: {departments: [{id: 1, department: \"Staff\"}]})"
                + " { inserted } }", null).at("/ingest/inserted").asInt());
        assertEquals("Staff", server.data(reader, DEPARTMENTS, null).at("/departments/edges/0/node/department").asText());
        assertFalse(server.data(null, "mutation { login(username: \"admin\", password: \"correct horse battery\")"
                + " { accessToken } }", null).at("/login/accessToken").asText().isEmpty());
    }

    private static void assertGraphQLUnavailable(Callable<HttpResponse<String>> request) throws Exception {
        HttpResponse<String> response = timed(request);
        assertEquals(503, response.statusCode(), response.body());
        assertRetryAfter(response);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode errors = TestServer.JSON.readTree(response.body()).path("errors");
        assertTrue(errors.size() > 0, response.body());
        for (JsonNode error : errors) {
            assertEquals("DATABASE_UNAVAILABLE", error.at("/extensions/code").asText(), response.body());
        }
        assertClean(response.body());
    }

    /** The answer, which must come quickly. */
    private static HttpResponse<String> timed(Callable<HttpResponse<String>> request) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = request.call();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(QUICK) < 0, "answered after " + took.toMillis() + " ms: " + response.body());
        return response;
    }

    private static void assertRetryAfter(HttpResponse<String> response) {
        String retryAfter = response.headers().firstValue("Retry-After").orElse("");
        assertTrue(retryAfter.matches("[1-9][0-9]*"), "Retry-After: " + retryAfter);
    }

    private static void assertClean(String body) {
        String lower = body.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("<html") || lower.contains("exception") || lower.contains("sql")
                || lower.contains("connection to") || lower.contains("hikari"), body);
    }
}
