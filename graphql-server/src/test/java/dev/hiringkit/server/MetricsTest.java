package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestTools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics over real HTTP, on the metrics port, after a load, a batch, a backup and a refused request: the
 * key series hold what that traffic did, and promtool finds nothing to complain about in the output.
 */
class MetricsTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path dir;

    @Test
    void theScrapeHoldsWhatTheTrafficDidAndPromtoolAcceptsIt() throws Exception {
        Path promtool = TestTools.require(MetricsTest.class, "/usr/bin/promtool", "prometheus");
        Files.createSymbolicLink(dir.resolve("globant"), RealData.dir().toAbsolutePath());
        try (TestServer server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir,
                settings -> settings.metricsPort(0))) {
            String writer = server.token("writer");
            String admin = server.token("admin");
            JsonNode loads = server.data(writer, "mutation { loadHistorical(source: \"globant\") { table status inserted"
                    + " rejected rejectedByCode { code count } } }", null).get("loadHistorical");
            JsonNode batch = server.data(writer, "mutation { ingest(input: { jobs: [{ id: 1, job: \"Again\" },"
                    + " { id: 900001, job: \"New\" }] }) { inserted rejected } }", null).get("ingest");
            assertEquals(1, batch.get("inserted").asInt());
            assertEquals(1, batch.get("rejected").asInt());
            long before = Instant.now().getEpochSecond();
            JsonNode backup = server.data(admin, "mutation { backup { id tables { bytes } } }", null).get("backup");
            HttpResponse<String> refused = server.post("not-a-token", "{ me { username } }", null);
            assertEquals(401, refused.statusCode());

            int metricsPort = HiringServer.metricsPort(server.server);
            HttpResponse<String> scrape = server.http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            Map<String, Double> samples = parse(scrape.body());

            // Requests, by root field and outcome: bounded labels, whatever the client names its operations.
            assertEquals(1.0, samples.get(series("hiring_graphql_requests_seconds_count", "operation", "ingest",
                    "outcome", "ok", "type", "mutation")));
            assertEquals(1.0, samples.get(series("hiring_graphql_requests_seconds_count", "operation", "me",
                    "outcome", "unauthenticated", "type", "query")));
            assertTrue(samples.get(series("hiring_graphql_requests_seconds_bucket", "le", "+Inf", "operation",
                    "loadHistorical", "outcome", "ok", "type", "mutation")) == 1.0);

            // Rows of the batch, per table and reason.
            assertEquals(1.0, samples.get(series("hiring_rows_inserted_total", "table", "JOBS", "via", "batch")));
            assertEquals(1.0, samples.get(series("hiring_rows_rejected_total", "table", "JOBS", "via", "batch")));
            assertEquals(1.0, samples.get(series("hiring_rejection_reasons_total", "code", "DUPLICATE_ID", "table", "JOBS",
                    "via", "batch")));
            assertEquals(1.0, samples.get(series("hiring_batch_size_rows_count")));
            assertEquals(2.0, samples.get(series("hiring_batch_size_rows_sum")));

            // Rows of the load, as its answer counts them.
            for (JsonNode load : loads) {
                String table = load.get("table").asText();
                assertEquals(load.get("inserted").asDouble(), samples.get(series("hiring_rows_inserted_total", "table",
                        table, "via", "load")), table);
                assertEquals(load.get("rejected").asDouble(), samples.get(series("hiring_rows_rejected_total", "table",
                        table, "via", "load")), table);
                for (JsonNode code : load.get("rejectedByCode")) {
                    assertEquals(code.get("count").asDouble(), samples.get(series("hiring_rejection_reasons_total", "code",
                            code.get("code").asText(), "table", table, "via", "load")), table);
                }
                assertEquals(1.0, samples.get(series("hiring_loads_total", "status", load.get("status").asText(),
                        "table", table)));
            }
            assertTrue(samples.get(series("hiring_rows_rejected_total", "table", "HIRED_EMPLOYEES", "via", "load")) > 0,
                    "the real data has rows to reject");
            assertEquals(0.0, samples.get(series("hiring_loads_running")));

            // The backup just taken, without waiting for the catalog.
            double taken = samples.get(series("hiring_backup_last_success_timestamp_seconds"));
            assertTrue(taken >= before - 1 && taken <= Instant.now().getEpochSecond() + 1, "backup time " + taken);
            long bytes = 0;
            for (JsonNode table : backup.get("tables")) {
                bytes += table.get("bytes").asLong();
            }
            assertEquals((double) bytes, samples.get(series("hiring_backup_last_size_bytes")));
            assertEquals(1.0, samples.get(series("hiring_backups_total")));

            // Replays start at 0 for each operation that takes a key; the database, its pool, the JVM.
            for (String operation : List.of("ingest", "uploadCsv", "loadHistorical", "backup", "restore")) {
                assertEquals(0.0, samples.get(series("hiring_idempotent_replays_total", "operation", operation)));
            }
            assertEquals(1.0, samples.get(series("hiring_database_up")));
            assertTrue(samples.keySet().stream().anyMatch(s -> s.startsWith("hikaricp_connections_max{")), "pool");
            assertTrue(samples.keySet().stream().anyMatch(s -> s.startsWith("jvm_memory_used_bytes{")), "JVM");
            assertTrue(samples.keySet().stream().anyMatch(s -> s.startsWith("process_cpu_usage")), "process");

            assertEquals(List.of(), promtool(promtool, scrape.body()), "promtool check metrics");

            // The main port has no /metrics, and the metrics port nothing else.
            assertEquals(404, server.http.send(HttpRequest.newBuilder(server.base.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> other = server.http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + metricsPort + "/graphql")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
            assertEquals("NOT_FOUND", TestServer.JSON.readTree(other.body()).at("/errors/0/extensions/code").asText());
        }
    }

    /** promtool's complaints about an exposition, one per line; none when it accepts it. */
    static List<String> promtool(Path promtool, String exposition) throws IOException, InterruptedException {
        Path input = Files.createTempFile("metrics", ".txt");
        try {
            Files.writeString(input, exposition);
            Process process = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true)
                    .redirectInput(input.toFile()).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            List<String> complaints = output.lines().filter(line -> !line.isBlank()).toList();
            return exit == 0 ? complaints : concat(complaints, "exit " + exit);
        } finally {
            Files.deleteIfExists(input);
        }
    }

    private static List<String> concat(List<String> lines, String last) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(lines);
        all.add(last);
        return all;
    }

    /** The samples of an exposition by series: the name and its labels sorted by name. */
    static Map<String, Double> parse(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertTrue(sample.matches(), "not a sample: " + line);
            Map<String, String> labels = new TreeMap<>();
            if (sample.group(3) != null) {
                Matcher label = LABEL.matcher(sample.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.put(key(sample.group(1), labels), Double.parseDouble(sample.group(4)));
        }
        return samples;
    }

    /** A series' key: {@code series("name", "label", "value", ...)}. */
    static String series(String name, String... labels) {
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return key(name, map);
    }

    private static String key(String name, Map<String, String> labels) {
        StringBuilder key = new StringBuilder(name).append('{');
        labels.forEach((label, value) -> key.append(label).append("=\"").append(value).append("\","));
        return key.append('}').toString();
    }
}
