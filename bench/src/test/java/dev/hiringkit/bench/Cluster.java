package dev.hiringkit.bench;

import dev.hiringkit.testing.TestS3;
import dev.hiringkit.testing.TestTools;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Everything the cluster test runs, started in order and stopped in reverse by {@link #close()} (also
 * from a shutdown hook, so Ctrl-C leaves no process or directory behind): PostgreSQL primary, standby
 * and PgBouncer; S3Proxy for the archive; three {@code hiring serve} JVMs; HAProxy in front of them.
 */
final class Cluster implements AutoCloseable {

    static final int INSTANCES = 3;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    final Path dir;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final String adminPassword = secret(18);
    final String bucket;
    final String archive;
    private String readyPath;
    private final Path jar;
    private final Path repository;
    private final boolean preMerge;
    private final List<HiringInstance> instances = new ArrayList<>();
    private ClusterDatabase database;
    private LoadBalancer loadBalancer;
    private final Thread hook = new Thread(this::closeQuietly, "cluster-cleanup");
    private boolean closed;

    private Cluster(Path dir, Path repository, Path jar, boolean preMerge) {
        this.dir = dir;
        this.repository = repository;
        this.jar = jar;
        this.preMerge = preMerge;
        this.bucket = TestS3.newBucket();
        this.archive = "s3://" + bucket + "/cluster/";
    }

    /**
     * Starts the database, the archive, HAProxy and the first instance (the others with
     * {@link #startOthers()}). With {@code preMerge}, options the server does not have yet are left out.
     */
    static Cluster start(Path repository, Path jar, boolean preMerge) throws IOException, InterruptedException {
        // Debian's programs: where one is missing a test is skipped (failed in CI), the command says so
        TestTools.require(ClusterBenchmark.class, ClusterNames.HAPROXY, "haproxy");
        TestTools.require(ClusterBenchmark.class, ClusterNames.PGBOUNCER, "pgbouncer");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no server at " + jar + ": build it with ./mvnw -pl graphql-server -am package");
        }
        Path dir = Files.createTempDirectory("hiring-cluster");
        Cluster cluster = new Cluster(dir, repository, jar, preMerge);
        Runtime.getRuntime().addShutdownHook(cluster.hook);
        try {
            cluster.startAll();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll() throws IOException, InterruptedException {
        List<String> missing = missingServeOptions(jar);
        if (!missing.isEmpty() && !preMerge) {
            throw new IllegalStateException("hiring serve has no " + String.join(", ", missing)
                    + ": the cluster test needs them (run with --pre-merge to try without)");
        }
        database = ClusterDatabase.start(dir.resolve("postgres"), repository);
        String readUrl = missing.contains(ClusterNames.READ_URL_OPTION) ? null : database.standbyUrl();
        boolean graceful = !missing.contains(ClusterNames.SHUTDOWN_GRACE_OPTION);
        readyPath = graceful ? ClusterNames.READY_PATH : ClusterNames.PRE_MERGE_READY_PATH;
        boolean pooler = !missing.contains(ClusterNames.POOLER_OPTION);
        String dbUrl = database.pooledUrl(pooler ? "" : ClusterNames.PRE_MERGE_POOLER_JDBC_PARAMETERS);
        List<String> dbOptions = new ArrayList<>(pooler ? ClusterNames.POOLER_SERVE_OPTIONS : List.of());
        if (pooler && serveHelp(jar).contains(ClusterNames.LISTEN_URL_OPTION)) {
            dbOptions.addAll(List.of(ClusterNames.LISTEN_URL_OPTION, database.directUrl()));
        }
        Map<String, String> environment = Map.of(
                "HIRING_DB_USER", ClusterDatabase.USER,
                "HIRING_DB_PASSWORD", ClusterDatabase.PASSWORD,
                "HIRING_ADMIN_PASSWORD", adminPassword,
                "HIRING_JWT_SECRET", secret(48),
                "AWS_ACCESS_KEY_ID", TestS3.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", TestS3.SECRET_KEY,
                "AWS_REGION", "us-east-1");
        List<Integer> ports = new ArrayList<>();
        for (int i = 1; i <= INSTANCES; i++) {
            int port = Ports.free();
            ports.add(port);
            instances.add(HiringInstance.create("hiring" + i, jar, dir.resolve("hiring" + i), port, dbUrl, dbOptions,
                    readUrl, graceful, archive, TestS3.endpoint(), environment, readyPath));
        }
        loadBalancer = LoadBalancer.start(repository, dir, Ports.free(), Ports.free(), ports, readyPath);
        instance(0).start(http, START_TIMEOUT);
        loadBalancer.awaitServer(http, ClusterNames.HAPROXY_SERVER_NAMES.get(0), true, Duration.ofSeconds(30));
    }

    /** Starts the second and third instances at once (their migrations race, as a rolling deploy's do). */
    void startOthers() throws InterruptedException {
        for (int i = 1; i < INSTANCES; i++) {
            instance(i).process().start();
        }
        for (int i = 1; i < INSTANCES; i++) {
            instance(i).awaitReady(http, START_TIMEOUT);
            awaitInRotation(i);
        }
    }

    /** Waits until HAProxy sends requests to instance {@code i} again. */
    void awaitInRotation(int i) throws InterruptedException {
        loadBalancer.awaitServer(http, ClusterNames.HAPROXY_SERVER_NAMES.get(i), true, Duration.ofSeconds(60));
    }

    HiringInstance instance(int i) {
        return instances.get(i);
    }

    ClusterDatabase database() {
        return database;
    }

    URI uri() {
        return loadBalancer.uri();
    }

    ApiClient client() {
        return new ApiClient(http, uri(), adminPassword);
    }

    /** The options of ClusterNames.REQUIRED_SERVE_OPTIONS that {@code hiring serve --help} does not list. */
    static List<String> missingServeOptions(Path jar) throws IOException, InterruptedException {
        String text = serveHelp(jar);
        return ClusterNames.REQUIRED_SERVE_OPTIONS.stream().filter(option -> !text.contains(option)).toList();
    }

    private static String serveHelp(Path jar) throws IOException, InterruptedException {
        Process help = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "serve", "--help").redirectErrorStream(true).start();
        String text = new String(help.getInputStream().readAllBytes());
        help.waitFor(60, TimeUnit.SECONDS);
        return text;
    }

    @Override
    public synchronized void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook
        }
        closeQuietly();
    }

    private synchronized void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        if (loadBalancer != null) {
            loadBalancer.process().kill();
        }
        for (HiringInstance instance : instances) {
            instance.process().kill();
        }
        if (database != null) {
            try {
                database.close();
            } catch (RuntimeException e) {
                System.err.println("Could not stop PostgreSQL: " + e.getMessage());
            }
        }
        delete(dir);
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static String secret(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
