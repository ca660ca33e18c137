package dev.hiringkit.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One {@code java -jar hiring.jar serve} of the cluster: its own JVM, port and data directory (logs). */
final class HiringInstance {

    /** A JVM of 2-core-machine size: three of them, PostgreSQL and the clients share the cores. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC");

    private final ChildProcess process;
    private final int port;

    private HiringInstance(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * An instance (not started) serving {@code dbUrl} (with {@code dbOptions} saying what it is);
     * {@code readUrl} is the standby it reads from. Credentials, the admin password and the token secret
     * come from {@code environment}.
     */
    static HiringInstance create(String name, Path jar, Path dataDir, int port, String dbUrl, List<String> dbOptions,
            String readUrl, String archive, URI s3Endpoint, Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-jar", jar.toString(), "serve",
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString(),
                "--db-url", dbUrl,
                "--archive", archive, "--s3-endpoint", s3Endpoint.toString(),
                "--token-minutes", "600"));
        command.addAll(dbOptions);
        command.addAll(List.of(ClusterNames.READ_URL_OPTION, readUrl,
                ClusterNames.SHUTDOWN_GRACE_OPTION, ClusterNames.shutdownGraceValue()));
        try {
            java.nio.file.Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ChildProcess process = new ChildProcess(name, command, environment, dataDir.resolve("serve.out"));
        return new HiringInstance(process, port);
    }

    String name() {
        return process.name();
    }

    int port() {
        return port;
    }

    ChildProcess process() {
        return process;
    }

    /** Starts it and returns once it answers ready, failing with the end of its log if it exits first. */
    void start(HttpClient http, Duration timeout) throws InterruptedException {
        process.start();
        awaitReady(http, timeout);
    }

    void awaitReady(HttpClient http, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + ClusterNames.READY_PATH))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name() + " exited while starting:\n" + process.tail(20));
            }
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(name() + " was not ready within " + timeout + ":\n" + process.tail(20));
            }
            Thread.sleep(200);
        }
    }
}
