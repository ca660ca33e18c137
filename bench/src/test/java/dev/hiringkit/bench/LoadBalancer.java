package dev.hiringkit.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HAProxy in front of the instances, run from the repository's {@link ClusterNames#HAPROXY_CONFIG} with
 * only its example addresses replaced by the ports of this run.
 */
final class LoadBalancer {

    private final ChildProcess process;
    private final int port;
    private final int statsPort;

    private LoadBalancer(ChildProcess process, int port, int statsPort) {
        this.process = process;
        this.port = port;
        this.statsPort = statsPort;
    }

    /** Writes the configuration for these ports into {@code dir} and starts HAProxy in the foreground. */
    static LoadBalancer start(Path repository, Path dir, int port, int statsPort, List<Integer> serverPorts)
            throws IOException {
        String config = Files.readString(repository.resolve(ClusterNames.HAPROXY_CONFIG));
        Map<String, String> replacements = new HashMap<>();
        replacements.put("bind " + ClusterNames.HAPROXY_EXAMPLE_FRONTEND, "bind 127.0.0.1:" + port);
        replacements.put("bind " + ClusterNames.HAPROXY_EXAMPLE_STATS, "bind 127.0.0.1:" + statsPort);
        for (int i = 0; i < serverPorts.size(); i++) {
            replacements.put(ClusterNames.HAPROXY_EXAMPLE_SERVERS.get(i) + " check", "127.0.0.1:" + serverPorts.get(i) + " check");
        }
        for (Map.Entry<String, String> replacement : replacements.entrySet()) {
            if (!config.contains(replacement.getKey())) {
                throw new IllegalStateException(ClusterNames.HAPROXY_CONFIG + " no longer holds '" + replacement.getKey()
                        + "', which the cluster test replaces: update ClusterNames");
            }
            config = config.replace(replacement.getKey(), replacement.getValue());
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        ChildProcess process = new ChildProcess("haproxy",
                List.of(ClusterNames.HAPROXY, "-f", file.toString(), "-db"), Map.of(), dir.resolve("haproxy.out"));
        process.start();
        return new LoadBalancer(process, port, statsPort);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    ChildProcess process() {
        return process;
    }

    /** Waits until HAProxy's checks see {@code server} as {@code up} (true) or down. */
    void awaitServer(HttpClient http, String server, boolean up, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("haproxy exited:\n" + process.tail(20));
            }
            try {
                last = status(http, server);
                if (last.equals(up ? "UP" : "DOWN")) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("HAProxy did not see " + server + (up ? " up" : " down") + " within " + timeout
                + " (last status: " + last + ")");
    }

    /** The server's status in HAProxy's statistics: UP, DOWN, "UP 1/2" (going up), "DOWN 1/2"... */
    private String status(HttpClient http, String server) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
                .timeout(Duration.ofSeconds(2)).build();
        List<String> lines = http.send(request, HttpResponse.BodyHandlers.ofString()).body().lines().toList();
        List<String> header = List.of(lines.get(0).replaceFirst("^# ", "").split(",", -1));
        int name = header.indexOf("svname");
        int proxy = header.indexOf("pxname");
        int status = header.indexOf("status");
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > status && fields[proxy].equals(ClusterNames.HAPROXY_BACKEND) && fields[name].equals(server)) {
                return fields[status];
            }
        }
        throw new IOException("HAProxy's statistics have no server " + server);
    }
}
