package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.repository.LoadOptions;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * Times whole commands, a new JVM each run through the {@code hiring} launcher (its class data sharing
 * and JVM options included): {@code hiring report hires-by-quarter --year 2021 --format csv} against
 * {@code psql --csv -c} running the very SQL the library sends, on the same running PostgreSQL; the same
 * report on an embedded data directory (PostgreSQL started and stopped by the command: no psql ceiling);
 * and {@code hiring serve} from start until {@code /health/ready} answers 200, on both. Usage:
 * {@code bench/run-commands [--employees N] [--runs R]}.
 */
public final class CommandsBenchmark {

    private static final int YEAR = 2021;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private CommandsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs options = BenchArgs.parse(args, 20_000, 10);
        Path root = Path.of(System.getProperty("hiring.root", ".")).toAbsolutePath().normalize();
        run(root, options.employees(), options.runs());
    }

    static void run(Path root, long employees, int runs) throws Exception {
        Path hiring = root.resolve("hiring");
        Path psql = Path.of("/usr/bin/psql");
        if (!Files.isExecutable(psql)) {
            throw new IllegalStateException("psql is needed for the ceiling: install Debian's postgresql-client");
        }
        Path work = WorkDirectory.deletedAtExit("commands");
        try (BenchDatabase server = new BenchDatabase(work.resolve("postgres"));
                HikariDataSource pool = server.create("commands")) {
            Path data = work.resolve("data");
            System.out.printf("Generating and loading %,d hired employees...%n", employees);
            DataGenerator.builder().employees(employees).seed(42).build().writeTo(data);
            AtomicReference<String> reportSql = new AtomicReference<>();
            HiringKit kit = HiringKit.builder().dataSource(pool)
                    .archive(ArchiveStore.directory(work.resolve("archive"))).build();
            kit.migrate();
            kit.repository().loadDirectory(data, LoadOptions.defaults());
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("VACUUM ANALYZE");
            }
            int rows = HiringKit.builder().dataSource(capturing(pool, reportSql))
                    .archive(ArchiveStore.directory(work.resolve("archive"))).build()
                    .reports().hiresByQuarter(YEAR).rows().size();
            String sql = reportSql.get();
            String dbUrl = pool.getJdbcUrl();

            List<String> hiringReport = List.of(hiring.toString(), "report", "hires-by-quarter", "--year", "" + YEAR,
                    "--format", "csv", "--db-url", dbUrl, "--data-dir", work.resolve("cli").toString());
            List<String> psqlReport = List.of(psql.toString(), "--csv", "-X", "-q", "-d", libpqUrl(dbUrl), "-c", sql);
            // The same rows from both (a header line each), or the comparison means nothing.
            int hiringLines = lines(run(hiringReport, work));
            int psqlLines = lines(run(psqlReport, work));
            if (hiringLines != rows + 1 || psqlLines != rows + 1) {
                throw new IllegalStateException("the report has " + rows + " rows, hiring printed " + hiringLines
                        + " lines, psql " + psqlLines);
            }

            // An embedded data directory like a user's: made and migrated by a load through the launcher.
            Path dataDir = work.resolve("embedded");
            run(List.of(hiring.toString(), "load", "--data-dir", dataDir.toString(), "--dir", data.toString()), work);
            List<String> embeddedReport = List.of(hiring.toString(), "report", "hires-by-quarter", "--year", "" + YEAR,
                    "--format", "csv", "--data-dir", dataDir.toString());

            System.out.printf(Locale.ROOT, "load average at the start: %s%n", loadAverage());
            // Warm-up: the first run of the launcher also records its class data sharing archive.
            for (int i = 0; i < 2; i++) {
                run(hiringReport, work);
                run(psqlReport, work);
                run(embeddedReport, work);
            }
            serveUntilReady(hiring, work, List.of("--db-url", dbUrl, "--data-dir", work.resolve("cli").toString()));
            serveUntilReady(hiring, work, List.of("--data-dir", dataDir.toString()));

            double[] hiringMs = new double[runs];
            double[] psqlMs = new double[runs];
            double[] embeddedMs = new double[runs];
            double[] serveMs = new double[runs];
            double[] serveEmbeddedMs = new double[runs];
            double[] serveCpuMs = new double[runs];
            double[] serveEmbeddedCpuMs = new double[runs];
            for (int i = 0; i < runs; i++) {
                // Alternated, so that drift in the machine hits every side alike.
                hiringMs[i] = Timings.millis(() -> run(hiringReport, work));
                psqlMs[i] = Timings.millis(() -> run(psqlReport, work));
                embeddedMs[i] = Timings.millis(() -> run(embeddedReport, work));
                ServeStart served = serveUntilReady(hiring, work,
                        List.of("--db-url", dbUrl, "--data-dir", work.resolve("cli").toString()));
                serveMs[i] = served.wallMs();
                serveCpuMs[i] = served.cpuMs();
                ServeStart servedEmbedded = serveUntilReady(hiring, work, List.of("--data-dir", dataDir.toString()));
                serveEmbeddedMs[i] = servedEmbedded.wallMs();
                serveEmbeddedCpuMs[i] = servedEmbedded.cpuMs();
            }

            double psqlMedian = Timings.median(psqlMs);
            System.out.printf(Locale.ROOT, "%nCommands on %,d hired employees (report: %d rows), median of %d runs,"
                    + " a new JVM each%n", employees, rows, runs);
            System.out.printf(Locale.ROOT, "%-52s %10s %8s %8s%n", "command", "ms", "ratio", "target");
            System.out.printf(Locale.ROOT, "%-52s %10.0f %8s %8s%n", "psql --csv -c '<the report's SQL>'", psqlMedian,
                    "1.00", "");
            System.out.printf(Locale.ROOT, "%-52s %10.0f %8.2f %8s%n", "hiring report hires-by-quarter --db-url",
                    Timings.median(hiringMs), Timings.median(hiringMs) / psqlMedian, "<= 2.00");
            System.out.printf(Locale.ROOT, "%-52s %10.0f %8s %8s%n",
                    "hiring report ... --data-dir (starts PostgreSQL)", Timings.median(embeddedMs), "", "");
            System.out.printf(Locale.ROOT, "%-52s %10.0f %8s %8s%n", "hiring serve --db-url, start to ready",
                    Timings.median(serveMs), "", "<= 1000");
            System.out.printf(Locale.ROOT, "%-52s %10.0f %8s %8s%n", "hiring serve --data-dir, start to ready",
                    Timings.median(serveEmbeddedMs), "", "<= 1000");
            System.out.printf(Locale.ROOT, "%-52s %10.0f%n", "  its JVM's CPU until ready, --db-url", Timings.median(serveCpuMs));
            System.out.printf(Locale.ROOT, "%-52s %10.0f%n", "  its JVM's CPU until ready, --data-dir",
                    Timings.median(serveEmbeddedCpuMs));
            System.out.printf(Locale.ROOT, "load average at the end: %s%n", loadAverage());
            System.out.println(server.settings());
        }
    }

    /**
     * A data source that remembers the report's statement as the driver sends it: pgJDBC's
     * {@code PreparedStatement.toString()} (under HikariCP's wrapper) is the SQL with its parameters as
     * literals, which psql can run.
     */
    private static DataSource capturing(DataSource target, AtomicReference<String> reportSql) {
        InvocationHandler onDataSource = (proxy, method, args) -> {
            Object result = invoke(target, method, args);
            if (result instanceof Connection connection) {
                return Proxy.newProxyInstance(CommandsBenchmark.class.getClassLoader(), new Class<?>[] {Connection.class},
                        (p, m, a) -> {
                            Object made = invoke(connection, m, a);
                            if (made instanceof PreparedStatement statement && a != null && a.length > 0
                                    && a[0] instanceof String text && text.contains("q1")) {
                                return Proxy.newProxyInstance(CommandsBenchmark.class.getClassLoader(),
                                        new Class<?>[] {PreparedStatement.class}, (sp, sm, sa) -> {
                                            Object out = invoke(statement, sm, sa);
                                            if (sm.getName().startsWith("execute")) {
                                                reportSql.set(statement.unwrap(org.postgresql.PGStatement.class).toString());
                                            }
                                            return out;
                                        });
                            }
                            return made;
                        });
            }
            return result;
        };
        return (DataSource) Proxy.newProxyInstance(CommandsBenchmark.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, onDataSource);
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** {@code jdbc:postgresql://host:port/db?user=u} as libpq's {@code postgresql://u@host:port/db}. */
    private static String libpqUrl(String jdbcUrl) {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String user = "postgres";
        if (uri.getQuery() != null) {
            for (String pair : uri.getQuery().split("&")) {
                if (pair.startsWith("user=")) {
                    user = pair.substring("user=".length());
                }
            }
        }
        return "postgresql://" + user + "@" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
    }

    /** Runs a command to its end; its standard output, or a failure with its standard error. */
    private static String run(List<String> command, Path dir) throws IOException, InterruptedException {
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        String errors = Files.readString(err);
        Files.delete(err);
        if (status != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(3, command.size())))
                    + " failed (" + status + "): " + errors);
        }
        return out;
    }

    /** The system's load averages (1, 5, 15 minutes), or "unknown" where /proc/loadavg is missing. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int lines(String text) {
        return (int) text.lines().count();
    }

    /** The time {@code hiring serve} took from start until ready, and the CPU its JVM had used by then. */
    private record ServeStart(double wallMs, double cpuMs) {
    }

    /**
     * Starts {@code hiring serve} on a free port; the milliseconds until /health/ready is 200, and the CPU its
     * JVM used until then (the launcher execs the JVM once its archive is made, so the process is the JVM;
     * -1 where the system does not say); stops it, with no drain delay (the stop is not timed).
     */
    private static ServeStart serveUntilReady(Path hiring, Path dir, List<String> database) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(hiring.toString(), "serve", "--port", "" + port,
                "--shutdown-drain", "0"));
        command.addAll(database);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("serve.err").toFile());
        builder.environment().put("HIRING_ADMIN_PASSWORD", "bench-admin-password");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("hiring serve stopped before it was ready: "
                            + Files.readString(dir.resolve("serve.err")));
                }
                try {
                    if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        double wallMs = (System.nanoTime() - start) / 1e6;
                        return new ServeStart(wallMs, process.toHandle().info().totalCpuDuration()
                                .map(cpu -> cpu.toNanos() / 1e6).orElse(-1.0));
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() - start > READY_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("hiring serve was not ready within " + READY_TIMEOUT);
                }
                Thread.sleep(10);
            }
        } finally {
            process.destroy(); // SIGTERM: a graceful stop, which also stops the embedded PostgreSQL
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
