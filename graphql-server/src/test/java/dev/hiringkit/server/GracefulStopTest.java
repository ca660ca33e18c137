package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.testing.DatabaseState;
import dev.hiringkit.testing.RestartablePostgres;
import dev.hiringkit.testing.SecondChunkHold;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health checks and the graceful stop, over real HTTP on a PostgreSQL the test can stop: live answers
 * without the database; ready follows the database, the migrations and the stop; a stop lets the request
 * in flight finish with 200 while new ones get 503 {@code SHUTTING_DOWN}, ends event streams, and leaves a
 * background load it stops resumable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GracefulStopTest {

    private static final String DEPARTMENTS = "{ departments(first: 5) { edges { node { id department } } } }";

    @TempDir
    static Path dir;

    private RestartablePostgres postgres;
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();

    @BeforeAll
    void startPostgres() {
        postgres = RestartablePostgres.start(dir.resolve("pgdata"));
    }

    @AfterEach
    void closeAll() throws Exception {
        postgres.start();
        for (AutoCloseable server : servers) {
            server.close();
        }
        servers.clear();
        pools.forEach(HikariDataSource::close);
        pools.clear();
    }

    @AfterAll
    void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void liveAnswersWithoutTheDatabaseAndReadyFollowsIt() throws Exception {
        TestServer server = server(postgres.newDatabase(), settings -> settings);

        assertEquals(200, get(server, "/health/live").statusCode());
        assertEquals("UP", json(get(server, "/health/live")).path("status").asText());
        for (String path : List.of("/health/ready", "/health")) {
            HttpResponse<String> ready = get(server, path);
            assertEquals(200, ready.statusCode(), ready.body());
            JsonNode body = json(ready);
            assertEquals("UP", body.path("status").asText(), ready.body());
            assertEquals("UP", body.path("database").asText(), ready.body());
            assertEquals("UP", body.path("migrations").asText(), ready.body());
            assertEquals("RUNNING", body.path("instance").asText(), ready.body());
        }

        postgres.stop();
        HttpResponse<String> down = get(server, "/health/ready");
        assertEquals(503, down.statusCode(), down.body());
        assertEquals("5", down.headers().firstValue("Retry-After").orElse(""));
        assertEquals("DOWN", json(down).path("database").asText(), down.body());
        assertEquals("DATABASE_UNAVAILABLE", json(down).at("/errors/0/extensions/code").asText(), down.body());
        HttpResponse<String> live = get(server, "/health/live");
        assertEquals(200, live.statusCode(), "alive while the database is away: " + live.body());

        postgres.startAndReconnect(pools);
        HttpResponse<String> back = get(server, "/health/ready");
        assertEquals(200, back.statusCode(), back.body());
    }

    @Test
    void readyWaitsForTheMigrations() throws Exception {
        HikariDataSource pool = pool(postgres.newDatabase());
        HiringKit kit = HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(dir.resolve("a1"))).build();
        Users users = new Users(pool);
        Auth auth = new Auth(users, new Clients(pool), new Tokens(TestServer.SECRET, Duration.ofMinutes(5),
                Clock.systemUTC()), new LoginThrottle(Clock.systemUTC()));
        Server server = HiringServer.newServer(ServerConfig.builder().kit(kit).dataSource(pool).auth(auth).port(0)
                .drainDelay(Duration.ZERO).build());
        server.start();
        servers.add(server::stop);
        java.net.URI base = java.net.URI.create("http://localhost:" + HiringServer.port(server));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

        HttpResponse<String> before = http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, before.statusCode(), before.body());
        assertEquals("SCHEMA_NOT_MIGRATED", json(before).at("/errors/0/extensions/code").asText(), before.body());
        assertEquals("PENDING", json(before).path("migrations").asText(), before.body());

        kit.migrate();
        HttpResponse<String> half = http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, half.statusCode(), "the server's own tables are not there yet: " + half.body());
        users.migrate();
        HttpResponse<String> after = http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, after.statusCode(), after.body());
    }

    @Test
    void aStopFinishesTheRequestInFlightRefusesNewOnesAndIsNotReady() throws Exception {
        String database = postgres.newDatabase();
        TestServer server = server(database, settings -> settings.shutdownGrace(Duration.ofSeconds(120))
                .drainDelay(Duration.ofSeconds(5)));
        String reader = server.token("reader");
        assertEquals(200, get(server, "/health/ready").statusCode());
        GracefulStop stop = HiringServer.gracefulStop(server.server);

        // The request in flight: a query that waits for a lock the test holds on departments.
        try (Connection holder = pools.get(0).getConnection()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE departments IN ACCESS EXCLUSIVE MODE");
            }
            CompletableFuture<HttpResponse<String>> inFlight = server.http.sendAsync(graphQL(server, reader, DEPARTMENTS),
                    HttpResponse.BodyHandlers.ofString());
            postgres.awaitLockWait(database, Duration.ofSeconds(30));

            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
                try {
                    server.server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await(() -> stop.isStopping());
            // Draining: not ready, but still serving (a balancer has not noticed yet).
            HttpResponse<String> ready = get(server, "/health/ready");
            HttpResponse<String> served = server.http.send(graphQL(server, reader, "{ jobs(first: 1) { edges { node"
                    + " { id } } } }"), HttpResponse.BodyHandlers.ofString());
            assertEquals(GracefulStop.Phase.DRAINING, stop.phase(), "the drain delay (5 s) is over already");
            assertEquals(503, ready.statusCode(), ready.body());
            assertEquals("SHUTTING_DOWN", json(ready).at("/errors/0/extensions/code").asText(), ready.body());
            assertEquals("STOPPING", json(ready).path("instance").asText(), ready.body());
            assertEquals(200, served.statusCode(), served.body());

            await(stop::isRefusing);
            HttpResponse<String> refused = server.http.send(graphQL(server, reader, "{ jobs(first: 1) { edges { node"
                    + " { id } } } }"), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("5", refused.headers().firstValue("Retry-After").orElse(""), refused.headers().toString());
            assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            assertEquals("SHUTTING_DOWN", json(refused).at("/errors/0/extensions/code").asText(), refused.body());
            assertEquals(503, get(server, "/health/ready").statusCode());
            assertEquals(200, get(server, "/health/live").statusCode(), "alive until it stops");
            assertFalse(inFlight.isDone(), "the request in flight is still waiting for the lock");
            assertFalse(stopped.isDone(), "the stop waits for the request in flight");

            holder.commit();
            HttpResponse<String> finished = inFlight.get(60, TimeUnit.SECONDS);
            assertEquals(200, finished.statusCode(), finished.body());
            assertTrue(json(finished).at("/data/departments/edges").isArray(), finished.body());
            // Well within the grace period: it ends once nothing is in flight.
            stopped.get(60, TimeUnit.SECONDS);
        }
        assertEquals(GracefulStop.Phase.STOPPED, stop.phase());
        assertTrue(server.server.isStopped());
    }

    @Test
    void aStopEndsEventStreamsInsteadOfWaitingForThem() throws Exception {
        TestServer server = server(postgres.newDatabase(), settings -> settings.shutdownGrace(Duration.ofSeconds(300)));
        String writer = server.token("writer");
        HttpRequest subscribe = HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + writer)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(
                        Map.of("query", "subscription { loadStarted { id } }")))).build();
        CompletableFuture<HttpResponse<Stream<String>>> stream = server.http.sendAsync(subscribe,
                HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> open = stream.get(30, TimeUnit.SECONDS);
        assertEquals(200, open.statusCode());

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
            try {
                server.server.stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> lines = open.body().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("data: ") && l.contains("SHUTTING_DOWN")), lines.toString());
        assertTrue(lines.contains("event: complete"), lines.toString());
        // Far less than the 300 s of grace: the stream ended, and the stop with it.
        stopped.get(60, TimeUnit.SECONDS);
    }

    @Test
    void aBackgroundLoadStoppedByTheStopIsLeftResumable() throws Exception {
        Path data = dir.resolve("generated");
        DataGenerator.builder().employees(120_000).seed(7).build().writeTo(data);
        String clean = postgres.newDatabase();
        HikariDataSource cleanPool = pool(clean);
        HiringKit cleanKit = HiringKit.builder().dataSource(cleanPool).archive(ArchiveStore.directory(dir.resolve("c")))
                .build();
        cleanKit.migrate();
        cleanKit.repository().loadDirectory(data, dev.hiringkit.repository.LoadOptions.defaults());

        String cut = postgres.newDatabase();
        // Grace 5 s, under AsyncLoads' 10 s margin: the load is told to stop as soon as the stop begins.
        TestServer server = server(cut, settings -> settings.loadRoot(dir).shutdownGrace(Duration.ofSeconds(5)));
        HikariDataSource pool = pools.get(pools.size() - 1);
        String writer = server.token("writer");
        // The second chunk of hired_employees waits, before its checkpoint commits, for a lock the test holds.
        try (SecondChunkHold hold = SecondChunkHold.install(pool)) {
            server.data(writer, "mutation($s: String!) { loadHistorical(source: $s, async: true) { id } }",
                    Map.of("s", "generated"));
            postgres.awaitLockWait(cut, Duration.ofSeconds(60));
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
                try {
                    server.server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            GracefulStop stop = HiringServer.gracefulStop(server.server);
            await(stop::isRefusing);
            // The chunk under way commits; the load stops there rather than start the third.
            hold.release();
            stopped.get(60, TimeUnit.SECONDS);
            hold.remove();
        }
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT status, records_done FROM loads WHERE table_name = 'hired_employees'")) {
            assertTrue(rs.next());
            assertEquals("FAILED", rs.getString(1));
            assertEquals(100_000, rs.getLong(2), "two whole chunks, with their checkpoint");
            assertFalse(rs.next());
        }

        // Loaded again, through another instance: it resumes and ends as the clean load did.
        TestServer again = server(cut, settings -> settings.loadRoot(dir));
        JsonNode loads = again.data(again.token("writer"), "mutation($s: String!) { loadHistorical(source: $s)"
                + " { table status } }", Map.of("s", "generated"));
        assertEquals(3, loads.at("/loadHistorical").size(), loads.toString());
        assertEquals(DatabaseState.tablesOnly(DatabaseState.of(cleanPool)), DatabaseState.tablesOnly(DatabaseState.of(pool)));
    }

    // ---- fixtures -------------------------------------------------------------------------------

    private TestServer server(String database, java.util.function.UnaryOperator<ServerConfig.Builder> settings)
            throws Exception {
        HikariDataSource pool = pool(database);
        // No drain delay unless a test sets one: a test that asked /health/ready would otherwise wait the
        // default 5 s as its server closes, for a balancer that is not there.
        TestServer server = new TestServer(pool, dir.resolve("archive-" + database), dir,
                builder -> settings.apply(builder.drainDelay(Duration.ZERO)));
        servers.add(server);
        return server;
    }

    private HikariDataSource pool(String database) {
        HikariDataSource pool = postgres.newPool(database);
        pools.add(pool);
        return pool;
    }

    private static HttpResponse<String> get(TestServer server, String path) throws Exception {
        return server.http.send(HttpRequest.newBuilder(server.base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest graphQL(TestServer server, String token, String query) throws Exception {
        return HttpRequest.newBuilder(server.base.resolve("/graphql")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(Map.of("query", query))))
                .build();
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return TestServer.JSON.readTree(response.body());
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened");
            }
            Thread.sleep(10);
        }
    }
}
