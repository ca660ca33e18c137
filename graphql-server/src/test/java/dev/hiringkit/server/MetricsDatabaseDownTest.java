package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.testing.TestTools;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose database cannot be reached: the metrics say so, as the alert rule
 * HiringDatabaseUnavailable reads them (hiring_database_up 0, requests with outcome database_unavailable).
 */
class MetricsDatabaseDownTest {

    @TempDir
    Path dir;

    @Test
    void theDatabaseGaugeAndTheOutcomeShowTheOutage() throws Exception {
        Path promtool = TestTools.require(MetricsDatabaseDownTest.class, "/usr/bin/promtool", "prometheus");
        int deadPort;
        try (ServerSocket free = new ServerSocket(0)) {
            deadPort = free.getLocalPort(); // nothing listens there once it is closed
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://localhost:" + deadPort + "/postgres");
        config.setConnectionTimeout(1_000);
        config.setInitializationFailTimeout(-1); // start without a database, as a pool does when it goes away later
        try (HikariDataSource pool = new HikariDataSource(config)) {
            HiringKit kit = HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(dir)).build();
            Auth auth = new Auth(new Users(pool), new Clients(pool), new Tokens(TestServer.SECRET, Duration.ofMinutes(5),
                    Clock.systemUTC()), new LoginThrottle(Clock.systemUTC()));
            Server server = HiringServer.newServer(ServerConfig.builder().kit(kit).dataSource(pool).auth(auth).port(0)
                    .metricsPort(0).build());
            server.start();
            try {
                URI base = URI.create("http://localhost:" + HiringServer.port(server));
                var http = java.net.http.HttpClient.newHttpClient();
                HttpResponse<String> login = http.send(HttpRequest.newBuilder(base.resolve("/graphql"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(Map.of("query",
                                "mutation { login(username: \"admin\", password: \"x\") { accessToken } }"))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, login.statusCode(), login.body());

                String exposition = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                        + HiringServer.metricsPort(server) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                Map<String, Double> samples = MetricsTest.parse(exposition);
                assertEquals(0.0, samples.get(MetricsTest.series("hiring_database_up")));
                assertEquals(1.0, samples.get(MetricsTest.series("hiring_graphql_requests_seconds_count", "operation",
                        "login", "outcome", "database_unavailable", "type", "mutation")));
                assertEquals(List.of(), MetricsTest.promtool(promtool, exposition), "promtool check metrics");
            } finally {
                server.stop();
            }
        }
    }
}
