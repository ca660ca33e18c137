package dev.hiringkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;

/**
 * A real server on a free port over a real database, with a clock the test can move, and an HTTP
 * client: what the server tests talk to.
 */
final class TestServer implements AutoCloseable {

    static final byte[] SECRET = "a test secret that is long enough for HS256 keys".getBytes(StandardCharsets.UTF_8);
    static final String PASSWORD = "correct horse battery";
    static final ObjectMapper JSON = new ObjectMapper();

    /** A clock tests move forward to expire tokens. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    final HikariDataSource dataSource;
    final HiringKit kit;
    final Users users;
    final Clients clients;
    /** Shared by a second instance, whose tokens and sign-in throttle are the first's. */
    final MovableClock clock;
    final Tokens tokens;
    final Server server;
    final URI base;
    final HttpClient http = HttpClient.newHttpClient();

    TestServer(HikariDataSource dataSource, Path archive, Path loadRoot, boolean introspection) throws Exception {
        this(dataSource, archive, loadRoot, settings -> settings.introspection(introspection));
    }

    /** A server with settings of the test's own on top of the usual ones. */
    TestServer(HikariDataSource dataSource, Path archive, Path loadRoot, UnaryOperator<ServerConfig.Builder> settings)
            throws Exception {
        this(dataSource, archive, loadRoot, settings, UnaryOperator.identity());
    }

    /** A server whose handler the test wraps, for example to make it fail. */
    TestServer(HikariDataSource dataSource, Path archive, Path loadRoot, UnaryOperator<ServerConfig.Builder> settings,
            UnaryOperator<Handler> around) throws Exception {
        this.dataSource = dataSource;
        this.clock = new MovableClock();
        this.kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
        kit.migrate();
        this.users = new Users(dataSource);
        users.migrate();
        for (Role role : Role.values()) {
            users.add(role.name().toLowerCase(), PASSWORD.toCharArray(), role);
        }
        this.clients = new Clients(dataSource);
        this.tokens = new Tokens(SECRET, Duration.ofMinutes(30), clock);
        Auth auth = new Auth(users, clients, tokens, new LoginThrottle(dataSource, clock));
        this.server = HiringServer.newServer(settings.apply(ServerConfig.builder().kit(kit).dataSource(dataSource)
                .auth(auth).port(0).loadRoot(loadRoot).maxBodyBytes(256 * 1024)).build());
        server.setHandler(around.apply(server.getHandler()));
        server.start();
        this.base = URI.create("http://localhost:" + HiringServer.port(server));
    }

    /** Another server on the same database and secret: the setup of a second instance. */
    TestServer(TestServer first, Path archive) throws Exception {
        this.dataSource = first.dataSource;
        this.clock = first.clock;
        this.kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
        this.users = first.users;
        this.clients = first.clients;
        this.tokens = first.tokens;
        Auth auth = new Auth(users, clients, tokens, new LoginThrottle(dataSource, clock));
        this.server = HiringServer.newServer(ServerConfig.builder().kit(kit).dataSource(dataSource).auth(auth).port(0)
                .build());
        server.start();
        this.base = URI.create("http://localhost:" + HiringServer.port(server));
    }

    String token(String username) throws Exception {
        HttpResponse<String> response = form("/token", "grant_type=password&username=" + username + "&password="
                + PASSWORD.replace(" ", "+"), null);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("no token for " + username + ": " + response.body());
        }
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    HttpResponse<String> form(String path, String body, String address) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a GraphQL request with a token (or none when null). */
    HttpResponse<String> post(String token, String query, Map<String, Object> variables) throws Exception {
        String body = JSON.writeValueAsString(variables == null ? Map.of("query", query)
                : Map.of("query", query, "variables", variables));
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The data of a successful GraphQL response; fails on errors. */
    JsonNode data(String token, String query, Map<String, Object> variables) throws Exception {
        HttpResponse<String> response = post(token, query, variables);
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || body.has("errors")) {
            throw new AssertionError("GraphQL errors (" + response.statusCode() + "): " + response.body());
        }
        return body.get("data");
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
