package dev.hiringkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hiringkit.testdata.DataGenerator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The resident size of a real {@code hiring serve} process, with the JVM options the {@code hiring} script
 * gives it, after 1000-row {@code ingest} batches from 4 clients: its {@code VmRSS} from
 * {@code /proc/<pid>/status}. Usage: {@code bench/run-memory [--batches N]}; {@code HIRING_JAVA_OPTS} as for
 * the script.
 */
public final class ServeMemoryBenchmark {

    private static final int ROWS = 1000;
    private static final int CLIENTS = 4;
    private static final long LIMIT_KB = 400 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MUTATION = "mutation($rows: [HiredEmployeeInput!]) { ingest(input: { hiredEmployees:"
            + " $rows }) { inserted rejected } }";
    private static final Pattern URL = Pattern.compile("GraphQL:\\s+(http://\\S+)/graphql");

    private ServeMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path hiring = null;
        int batches = 800;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--hiring" -> hiring = Path.of(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (expected --batches N)");
            }
        }
        Path work = WorkDirectory.deletedAtExit("memory");
        DataGenerator.builder().employees(0).build().writeTo(work.resolve("data"));
        Map<String, String> env = Map.of("HIRING_DATA_DIR", work.resolve("hiring-data").toString(),
                "HIRING_ARCHIVE", work.resolve("archive").toString(), "HIRING_USER_PASSWORD", "bench-password");
        run(env, hiring.toString(), "load", "--dir", work.resolve("data").toString());
        run(env, hiring.toString(), "user", "add", "bench", "--role", "writer");
        ProcessBuilder serve = new ProcessBuilder(hiring.toString(), "serve", "--port", "0").redirectErrorStream(true);
        serve.environment().putAll(env);
        Process server = serve.start();
        try {
            String base = baseUrl(server);
            long java = server.descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
                    .findFirst().map(ProcessHandle::pid).orElse(server.pid());
            HttpClient http = HttpClient.newHttpClient();
            String token = token(http, base);
            System.out.printf(Locale.ROOT, "hiring serve, JVM options: %s%n", System.getenv()
                    .getOrDefault("HIRING_JAVA_OPTS", "the script's default"));
            System.out.printf(Locale.ROOT, "ready:  VmRSS %,d kB%n", rssKb(java));
            ingest(http, base, token, batches);
            long after = rssKb(java);
            System.out.printf(Locale.ROOT, "after %d batches of %d rows from %d clients: VmRSS %,d kB, peak (VmHWM)"
                    + " %,d kB (target < %,d kB)%n", batches, ROWS, CLIENTS, after, peakKb(java), LIMIT_KB);
        } finally {
            server.destroy();
            server.waitFor(40, TimeUnit.SECONDS);
        }
    }

    private static void run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        int code = builder.start().waitFor();
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + code);
        }
    }

    /** Reads the server's output until it names its address; keeps draining it after that. */
    private static String baseUrl(Process server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            Matcher m = URL.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        out.lines().forEach(l -> { });
                    } catch (java.io.UncheckedIOException closed) {
                        // The server stopped: nothing more to read.
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
        }
        throw new IllegalStateException("hiring serve stopped before it was ready");
    }

    private static String token(HttpClient http, String base) throws Exception {
        String form = "grant_type=password&username=bench&password=" + URLEncoder.encode("bench-password",
                StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    private static void ingest(HttpClient http, String base, String token, int batches) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                futures.add(clients.submit(() -> {
                    for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                        List<Map<String, Object>> rows = new ArrayList<>();
                        for (int r = 0; r < ROWS; r++) {
                            int id = b * ROWS + r + 1;
                            rows.add(Map.of("id", id, "name", "Employee " + id, "datetime", "2021-06-01T12:00:00Z",
                                    "departmentId", 1 + id % 12, "jobId", 1 + id % 180));
                        }
                        String body = JSON.writeValueAsString(Map.of("query", MUTATION, "variables", Map.of("rows", rows)));
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/graphql"))
                                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (JSON.readTree(response.body()).at("/data/ingest/inserted").asInt() != ROWS) {
                            throw new IllegalStateException("ingest failed: " + response.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static long rssKb(long pid) throws Exception {
        return status(pid, "VmRSS:");
    }

    private static long peakKb(long pid) throws Exception {
        return status(pid, "VmHWM:");
    }

    private static long status(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + field + " for process " + pid);
    }
}
