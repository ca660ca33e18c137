package dev.hiringkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.server.HiringServer;
import dev.hiringkit.server.ServerConfig;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import java.lang.management.ManagementFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;

/**
 * 1000-row {@code ingest} mutations over HTTP with a token (the rows as objects, and as one list per field), from
 * 1 and 4 concurrent clients, against
 * plain JDBC multi-row INSERTs of the same batches through the same pool, and against one SQL function
 * taking the batch as arrays (checks and insert in one statement), in one run. Usage:
 * {@code bench/run-ingest [--batches N] [--warmup N]}.
 */
public final class IngestBenchmark {

    private static final int ROWS = 1000;
    /** Batches each path runs before the next path's turn. */
    private static final int BLOCK = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MUTATION = "mutation($rows: [HiredEmployeeInput!]) { ingest(input: { hiredEmployees:"
            + " $rows }) { inserted rejected } }";
    /** The same mutation with the rows as one list per field (HiredEmployeeColumns). */
    private static final String COLUMNS_MUTATION = "mutation($columns: HiredEmployeeColumns) { ingest(input: {"
            + " hiredEmployeeColumns: $columns }) { inserted rejected } }";

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int batches = 500;
        // A server runs for days: what counts is its steady state, after the JIT compiler is done.
        int warmup = 500;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--batches")) {
                batches = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--warmup")) {
                warmup = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --batches N, --warmup N)");
            }
        }
        run(batches, warmup);
    }

    /**
     * Times of one path: wall time, per-request latencies, and the CPU this JVM (client, server and library
     * together, the garbage collector's included) and PostgreSQL's processes used meanwhile. On 2 shared
     * cores wall times swing with what else runs; the CPU a batch costs swings far less.
     */
    private record Phase(double seconds, double[] latenciesMs, long jvmCpuNanos, long pgCpuMillis) {
        static final Phase NONE = new Phase(0, new double[0], 0, 0);

        double rowsPerSecond() {
            return latenciesMs.length * (double) ROWS / seconds;
        }

        double jvmMsPerBatch() {
            return jvmCpuNanos / 1e6 / latenciesMs.length;
        }

        double pgMsPerBatch() {
            return pgCpuMillis / (double) latenciesMs.length;
        }

        double cpuMsPerBatch() {
            return jvmMsPerBatch() + pgMsPerBatch();
        }

        Phase plus(Phase other) {
            double[] both = Arrays.copyOf(latenciesMs, latenciesMs.length + other.latenciesMs.length);
            System.arraycopy(other.latenciesMs, 0, both, latenciesMs.length, other.latenciesMs.length);
            return new Phase(seconds + other.seconds, both, jvmCpuNanos + other.jvmCpuNanos,
                    pgCpuMillis + other.pgCpuMillis);
        }
    }

    /** One path's run, with the CPU both sides used while it ran. */
    private static Phase measured(BenchDatabase database, Callable<Phase> path) throws Exception {
        long jvm = jvmCpuNanos();
        long pg = database.cpuMillis();
        Phase phase = path.call();
        return new Phase(phase.seconds(), phase.latenciesMs(), jvmCpuNanos() - jvm, database.cpuMillis() - pg);
    }

    /** The machine's load average over the last minute: other work on the same cores moves the wall times. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** This JVM's CPU time, all threads; 0 where the JVM does not say. */
    private static long jvmCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /** Runs {@code batches} per phase after {@code warmup} batches through each path, one client. */
    static void run(int batches, int warmup) throws Exception {
        Path work = WorkDirectory.deletedAtExit("ingest");
        DataGenerator.builder().employees(0).build().writeTo(work.resolve("data"));
        try (BenchDatabase database = new BenchDatabase(work.resolve("postgres"));
                HikariDataSource pool = database.create("ingest")) {
            // A connection for each of 4 clients on every path, and one the server keeps to hear of changed users.
            pool.getHikariConfigMXBean().setMaximumPoolSize(5);
            HiringKit kit = HiringKit.builder().dataSource(pool).archive(ArchiveStore.directory(work.resolve("archive")))
                    .build();
            kit.migrate();
            kit.repository().load(Table.DEPARTMENTS, work.resolve("data/departments.csv"), LoadOptions.defaults());
            kit.repository().load(Table.JOBS, work.resolve("data/jobs.csv"), LoadOptions.defaults());
            Users users = new Users(pool);
            users.migrate();
            byte[] secret = new byte[48];
            new java.security.SecureRandom().nextBytes(secret);
            Tokens tokens = new Tokens(secret, Duration.ofHours(1), Clock.systemUTC());
            users.add("bench", "bench-password".toCharArray(), Role.WRITER);
            Auth auth = new Auth(users, new Clients(pool), tokens, new LoginThrottle(Clock.systemUTC()));
            String token = ((Auth.Granted) auth.login("bench", "bench-password", "bench")).token();
            Server server = HiringServer.newServer(ServerConfig.builder().kit(kit).dataSource(pool).auth(auth).port(0)
                    .build());
            server.start();
            try {
                URI uri = URI.create("http://localhost:" + HiringServer.port(server) + "/graphql");
                AtomicInteger nextId = new AtomicInteger(1);
                // Every path warmed up alike before measuring. The HTTP path runs far more code (Jetty, GraphQL,
                // JSON, tokens) than the others, so the JIT compiler works on it for longer: a short warm-up
                // measures that compiler as much as the server (with --warmup 10 the ratios drop by about 0.1).
                createFunction(pool);
                http(uri, token, bodies(warmup, nextId), 1);
                http(uri, token, columnBodies(warmup, nextId), 1);
                library(kit, rows(warmup, nextId), 1);
                jdbc(pool, rows(warmup, nextId), 1);
                function(pool, rows(warmup, nextId), 1);
                System.out.printf(Locale.ROOT, "%n%d batches of %d rows per path after %d per path to warm up,"
                        + " in turns of %d batches per path; pool of %d connections; load average %.1f on %d cores%n",
                        batches, ROWS, warmup, BLOCK, pool.getMaximumPoolSize(), loadAverage(),
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "%-8s %-8s %12s %10s %10s %14s %14s%n", "clients", "path", "rows/s",
                        "p50 ms", "p99 ms", "JVM CPU ms/b", "PG CPU ms/b");
                for (int clients : new int[] {1, 4}) {
                    Phase viaHttp = Phase.NONE;
                    Phase viaColumns = Phase.NONE;
                    Phase viaLibrary = Phase.NONE;
                    Phase viaJdbc = Phase.NONE;
                    Phase viaFunction = Phase.NONE;
                    // The paths take turns, so a checkpoint or a compiler pause falls on all three alike.
                    for (int done = 0; done < batches; done += BLOCK) {
                        int block = Math.min(BLOCK, batches - done);
                        List<byte[]> bodies = bodies(block, nextId);
                        viaHttp = viaHttp.plus(measured(database, () -> http(uri, token, bodies, clients)));
                        List<byte[]> columnBodies = columnBodies(block, nextId);
                        viaColumns = viaColumns.plus(measured(database, () -> http(uri, token, columnBodies,
                                clients)));
                        List<List<Object[]>> forLibrary = rows(block, nextId);
                        viaLibrary = viaLibrary.plus(measured(database, () -> library(kit, forLibrary, clients)));
                        List<List<Object[]>> forJdbc = rows(block, nextId);
                        viaJdbc = viaJdbc.plus(measured(database, () -> jdbc(pool, forJdbc, clients)));
                        List<List<Object[]>> forFunction = rows(block, nextId);
                        viaFunction = viaFunction.plus(measured(database, () -> function(pool, forFunction, clients)));
                    }
                    print(clients, "HTTP", viaHttp);
                    print(clients, "HTTP col", viaColumns);
                    print(clients, "library", viaLibrary);
                    print(clients, "JDBC", viaJdbc);
                    print(clients, "SQL fn", viaFunction);
                    System.out.printf(Locale.ROOT, "%-8d HTTP / plain JDBC %.2f (target >= 0.90);"
                            + " HTTP / SQL function %.2f (target >= 1.50)%n", clients,
                            viaHttp.rowsPerSecond() / viaJdbc.rowsPerSecond(),
                            viaHttp.rowsPerSecond() / viaFunction.rowsPerSecond());
                    System.out.printf(Locale.ROOT, "%-8d HTTP columns / plain JDBC %.2f (target >= 0.90);"
                            + " HTTP columns / SQL function %.2f (target >= 1.50); library / plain JDBC %.2f%n", clients,
                            viaColumns.rowsPerSecond() / viaJdbc.rowsPerSecond(),
                            viaColumns.rowsPerSecond() / viaFunction.rowsPerSecond(),
                            viaLibrary.rowsPerSecond() / viaJdbc.rowsPerSecond());
                    // What the rates tend to when the cores are the limit: the CPU a batch costs on both sides.
                    System.out.printf(Locale.ROOT, "%-8d by CPU per batch (JVM + PostgreSQL), plain JDBC's / the"
                            + " path's: HTTP %.2f, HTTP columns %.2f, library %.2f, SQL function %.2f%n", clients,
                            viaJdbc.cpuMsPerBatch() / viaHttp.cpuMsPerBatch(),
                            viaJdbc.cpuMsPerBatch() / viaColumns.cpuMsPerBatch(),
                            viaJdbc.cpuMsPerBatch() / viaLibrary.cpuMsPerBatch(),
                            viaJdbc.cpuMsPerBatch() / viaFunction.cpuMsPerBatch());
                }
                System.out.printf(Locale.ROOT, "load average at the end %.1f%n", loadAverage());
            } finally {
                server.stop();
            }
        }
    }

    private static void print(int clients, String path, Phase phase) {
        System.out.printf(Locale.ROOT, "%-8d %-8s %,12.0f %10.1f %10.1f %14.2f %14.2f%n", clients, path,
                phase.rowsPerSecond(), percentile(phase.latenciesMs(), 50), percentile(phase.latenciesMs(), 99),
                phase.jvmMsPerBatch(), phase.pgMsPerBatch());
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static List<List<Object[]>> rows(int batches, AtomicInteger nextId) {
        List<List<Object[]>> all = new ArrayList<>();
        Instant at = Instant.parse("2021-06-01T12:00:00Z");
        for (int b = 0; b < batches; b++) {
            List<Object[]> batch = new ArrayList<>();
            for (int r = 0; r < ROWS; r++) {
                int id = nextId.getAndIncrement();
                batch.add(new Object[] {id, "Employee " + id, at.plusSeconds(id), 1 + id % 12, 1 + id % 180});
            }
            all.add(batch);
        }
        return all;
    }

    private static List<byte[]> bodies(int batches, AtomicInteger nextId) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (List<Object[]> batch : rows(batches, nextId)) {
            List<Map<String, Object>> rows = batch.stream().map(r -> Map.<String, Object>of("id", r[0], "name", r[1],
                    "datetime", r[2].toString(), "departmentId", r[3], "jobId", r[4])).toList();
            bodies.add(JSON.writeValueAsBytes(Map.of("query", MUTATION, "variables", Map.of("rows", rows))));
        }
        return bodies;
    }

    /** The same batches as {@link #bodies}, each field's values in one list. */
    private static List<byte[]> columnBodies(int batches, AtomicInteger nextId) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (List<Object[]> batch : rows(batches, nextId)) {
            Map<String, Object> columns = Map.of("id", column(batch, 0), "name", column(batch, 1),
                    "datetime", batch.stream().map(r -> r[2].toString()).toList(), "departmentId", column(batch, 3),
                    "jobId", column(batch, 4));
            bodies.add(JSON.writeValueAsBytes(Map.of("query", COLUMNS_MUTATION, "variables",
                    Map.of("columns", columns))));
        }
        return bodies;
    }

    private static List<Object> column(List<Object[]> batch, int field) {
        return batch.stream().map(r -> r[field]).toList();
    }

    /**
     * A request through a blocking HTTP/1.1 client, the JDK's HttpURLConnection keeping its connections alive:
     * each client thread writes its request and reads the answer on its own socket, as the JDBC driver does
     * with its statement. (The JDK's asynchronous HttpClient, which hands each exchange between its selector
     * and executor threads, cost 0.76 ms more of this JVM's CPU per 1000-row batch from 1 client, 5.63 against
     * 4.87 ms, in one run side by side; the same from 4.)
     */
    private static Phase http(URI uri, String token, List<byte[]> bodies, int clients) throws Exception {
        URL url = uri.toURL();
        return timed(bodies.size(), clients, i -> {
            byte[] body = bodies.get(i);
            HttpURLConnection connection = (HttpURLConnection) url.openConnection();
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Content-Type", "application/json");
            connection.setRequestProperty("Authorization", "Bearer " + token);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            byte[] answer;
            // Read to the end and closed, so the connection goes back to the client's pool.
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                answer = in.readAllBytes();
            }
            if (status != 200 || JSON.readTree(answer).at("/data/ingest/inserted").asInt() != ROWS) {
                throw new IllegalStateException("ingest failed: " + new String(answer, StandardCharsets.UTF_8));
            }
        });
    }

    /** The same batches through the library directly: what HTTP and GraphQL add is the difference. */
    private static Phase library(HiringKit kit, List<List<Object[]>> batches, int clients) throws Exception {
        return timed(batches.size(), clients, i -> {
            List<HiredEmployee> rows = batches.get(i).stream().map(r -> new HiredEmployee((Integer) r[0], (String) r[1],
                    (Instant) r[2], (Integer) r[3], (Integer) r[4])).toList();
            if (kit.repository().insert(Batch.ofHiredEmployees(rows)).inserted() != ROWS) {
                throw new IllegalStateException("the library refused rows of a valid batch");
            }
        });
    }

    private static Phase jdbc(HikariDataSource pool, List<List<Object[]>> batches, int clients) throws Exception {
        StringBuilder sql = new StringBuilder("INSERT INTO hired_employees (id, name, datetime, department_id, job_id) VALUES ");
        for (int r = 0; r < ROWS; r++) {
            sql.append(r == 0 ? "" : ",").append("(?,?,?,?,?)");
        }
        String insert = sql.toString();
        return timed(batches.size(), clients, i -> {
            try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(insert)) {
                int p = 1;
                for (Object[] row : batches.get(i)) {
                    s.setInt(p++, (Integer) row[0]);
                    s.setString(p++, (String) row[1]);
                    s.setTimestamp(p++, Timestamp.from((Instant) row[2]));
                    s.setInt(p++, (Integer) row[3]);
                    s.setInt(p++, (Integer) row[4]);
                }
                s.executeUpdate();
            }
        });
    }

    /**
     * What GraphQL servers over PostgreSQL do best (PostGraphile exposes such a function as a mutation): one SQL
     * function taking the batch as arrays, checking the ids and inserting in one statement.
     */
    private static void createFunction(HikariDataSource pool) throws Exception {
        try (Connection c = pool.getConnection(); var s = c.createStatement()) {
            s.execute("""
                    CREATE OR REPLACE FUNCTION bench_ingest(ids int4[], names text[], datetimes timestamptz[],
                        department_ids int4[], job_ids int4[]) RETURNS int LANGUAGE sql AS $$
                      WITH r AS (SELECT * FROM unnest(ids, names, datetimes, department_ids, job_ids)
                                   AS r(id, name, datetime, department_id, job_id)),
                      ins AS (INSERT INTO hired_employees (id, name, datetime, department_id, job_id)
                              SELECT * FROM r WHERE NOT EXISTS (SELECT 1 FROM hired_employees h WHERE h.id = r.id)
                                AND EXISTS (SELECT 1 FROM departments d WHERE d.id = r.department_id)
                                AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = r.job_id)
                              RETURNING 1)
                      SELECT count(*)::int FROM ins
                    $$""");
        }
    }

    private static Phase function(HikariDataSource pool, List<List<Object[]>> batches, int clients) throws Exception {
        return timed(batches.size(), clients, i -> {
            List<Object[]> rows = batches.get(i);
            try (Connection c = pool.getConnection();
                    PreparedStatement s = c.prepareStatement("SELECT bench_ingest(?, ?, ?::timestamptz[], ?, ?)")) {
                s.setArray(1, c.createArrayOf("int4", rows.stream().map(r -> r[0]).toArray(Integer[]::new)));
                s.setArray(2, c.createArrayOf("text", rows.stream().map(r -> r[1]).toArray(String[]::new)));
                s.setArray(3, c.createArrayOf("text", rows.stream().map(r -> r[2].toString()).toArray(String[]::new)));
                s.setArray(4, c.createArrayOf("int4", rows.stream().map(r -> r[3]).toArray(Integer[]::new)));
                s.setArray(5, c.createArrayOf("int4", rows.stream().map(r -> r[4]).toArray(Integer[]::new)));
                try (var rs = s.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) != ROWS) {
                        throw new IllegalStateException("the SQL function refused rows of a valid batch");
                    }
                }
            }
        });
    }

    private interface Work {
        void run(int index) throws Exception;
    }

    /** Runs {@code count} units on {@code clients} threads, each taking the next unit; times each and the whole. */
    private static Phase timed(int count, int clients, Work work) throws Exception {
        double[] latencies = new double[count];
        AtomicInteger next = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        long t = System.nanoTime();
                        work.run(i);
                        latencies[i] = (System.nanoTime() - t) / 1e6;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        return new Phase((System.nanoTime() - start) / 1e9, latencies, 0, 0);
    }
}
