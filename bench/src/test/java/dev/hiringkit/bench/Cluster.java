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
    private final Path jar;
    private final Path repository;
    private final List<HiringInstance> instances = new ArrayList<>();
    private ClusterDatabase database;
    private LoadBalancer loadBalancer;
    private final Thread hook = new Thread(this::closeQuietly, "cluster-cleanup");
    private boolean closed;

    private Cluster(Path dir, Path repository, Path jar) {
        this.dir = dir;
        this.repository = repository;
        this.jar = jar;
        this.bucket = TestS3.newBucket();
        this.archive = "s3://" + bucket + "/cluster/";
    }

    /**
     * Starts the database, the archive, HAProxy and the first instance (the others with
     * {@link #startOthers()}).
     */
    static Cluster start(Path repository, Path jar) throws IOException, InterruptedException {
        // Debian's programs: where one is missing a test is skipped (failed in CI), the command says so
        TestTools.require(ClusterBenchmark.class, ClusterNames.HAPROXY, "haproxy");
        TestTools.require(ClusterBenchmark.class, ClusterNames.PGBOUNCER, "pgbouncer");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no server at " + jar + ": build it with ./mvnw -pl graphql-server -am package");
        }
        Path dir = Files.createTempDirectory("hiring-cluster");
        Cluster cluster = new Cluster(dir, repository, jar);
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
        database = ClusterDatabase.start(dir.resolve("postgres"), repository);
        List<String> dbOptions = new ArrayList<>(ClusterNames.POOLER_SERVE_OPTIONS);
        dbOptions.addAll(List.of(ClusterNames.LISTEN_URL_OPTION, database.directUrl()));
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
            instances.add(HiringInstance.create("hiring" + i, jar, dir.resolve("hiring" + i), port,
                    database.pooledUrl(), dbOptions, database.standbyUrl(), archive, TestS3.endpoint(), environment));
        }
        loadBalancer = LoadBalancer.start(repository, dir, Ports.free(), Ports.free(), ports);
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
