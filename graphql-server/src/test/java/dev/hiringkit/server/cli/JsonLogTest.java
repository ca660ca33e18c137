package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.server.HiringServer;
import dev.hiringkit.server.ServerConfig;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.testing.TestDatabase;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code --log-format json}: the log file holds one JSON object per line, and a line logged while a traced
 * request runs carries its trace id and the server span's id.
 */
class JsonLogTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @TempDir
    Path dir;

    @AfterEach
    void restoreTestLogging() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void theOptionPicksTheFormatTextByDefault() {
        assertEquals(CliLogging.Format.JSON, format("serve", "--log-format", "json"));
        assertEquals(CliLogging.Format.JSON, format("serve", "--log-format=JSON"));
        assertEquals(CliLogging.Format.TEXT, format("serve"));
        assertEquals(CliLogging.Format.TEXT, format("loads"), "a command without the option");
    }

    @Test
    void anotherFormatIsRefusedInOneLine() {
        CommandLine commandLine = HiringCommand.newCommandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        commandLine.setErr(new java.io.PrintWriter(err));
        int exit = commandLine.execute("serve", "--log-format", "xml", "--data-dir", dir.toString());
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().startsWith("the log format is text or json, not 'xml'"), err.toString());
    }

    private static CliLogging.Format format(String... args) {
        CommandLine.ParseResult parsed = HiringCommand.newCommandLine().parseArgs(args);
        return CliLogging.format(parsed);
    }

    @Test
    void eachLineIsAJsonObjectWithTheRequestsTraceAndSpan() throws Exception {
        Path logFile = dir.resolve("logs").resolve("hiring.log");
        CliLogging.toFile(logFile, CliLogging.Format.JSON);
        // The per-request line is at DEBUG: the file's default level (INFO) leaves it out.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.hiringkit.server.http.ObservedGraphQL"))
                .setLevel(Level.DEBUG);

        HikariDataSource dataSource = TestDatabase.newDatabase();
        HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(dir.resolve("archive")))
                .build();
        kit.migrate();
        Users users = new Users(dataSource);
        users.migrate();
        Auth auth = new Auth(users, new Clients(dataSource), new Tokens(
                "a test secret that is long enough for HS256 keys".getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(5), Clock.systemUTC()), new LoginThrottle(Clock.systemUTC()));
        try (OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build()) {
            Server server = HiringServer.newServer(ServerConfig.builder().kit(kit).dataSource(dataSource).auth(auth)
                    .port(0).openTelemetry(openTelemetry).build());
            server.start();
            String traceparent;
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://localhost:" + HiringServer.port(server) + "/graphql"))
                        .header("Content-Type", "application/json")
                        .header("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ __typename }\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
                traceparent = response.headers().firstValue("traceparent").orElseThrow();
                waitForLine(logFile, "ObservedGraphQL");
            } finally {
                server.stop();
                dataSource.close();
            }
            String spanId = traceparent.split("-")[2];

            ObjectMapper json = new ObjectMapper();
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(logFile)) {
                lines.add(json.readTree(line)); // fails on a line that is not one JSON object
            }
            JsonNode request = lines.stream().filter(l -> l.path("loggerName").asText().endsWith("ObservedGraphQL"))
                    .findFirst().orElseThrow(() -> new AssertionError("no request line in " + lines));
            assertEquals("DEBUG", request.path("level").asText());
            assertTrue(request.path("formattedMessage").asText().startsWith("query __typename: 200 ok"), request.toString());
            assertEquals(TRACE_ID, request.at("/mdc/trace_id").asText(), request.toString());
            assertEquals(spanId, request.at("/mdc/span_id").asText(), request.toString());
        }
    }

    /** The answer may reach the client just before its log line is written: waits up to 10 s for it. */
    private static void waitForLine(Path file, String text) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line with " + text + " in " + file);
    }
}
