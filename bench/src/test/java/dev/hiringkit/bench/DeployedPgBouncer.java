package dev.hiringkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PgBouncer run from the repository's {@link ClusterNames#PGBOUNCER_CONFIG}, with only its addresses
 * and file locations replaced by this run's (the servers log in with a password, as the file says).
 */
final class DeployedPgBouncer implements AutoCloseable {

    private final ChildProcess process;
    private final int port;

    private DeployedPgBouncer(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static DeployedPgBouncer start(Path repository, Path dir, int postgresPort, String user, String password) {
        try {
            Files.createDirectories(dir);
            int port = Ports.free();
            Map<String, String> replacements = new LinkedHashMap<>();
            replacements.put("host=127.0.0.1 port=5432 dbname=" + ClusterDatabase.DATABASE,
                    "host=127.0.0.1 port=" + postgresPort + " dbname=" + ClusterDatabase.DATABASE);
            replacements.put("listen_addr = 0.0.0.0", "listen_addr = 127.0.0.1");
            replacements.put("listen_port = 6432", "listen_port = " + port);
            // no Unix socket: another PgBouncer on the machine may hold /tmp/.s.PGSQL.<port>
            replacements.put("unix_socket_dir = /var/run/postgresql", "unix_socket_dir =");
            replacements.put("auth_file = /etc/pgbouncer/userlist.txt", "auth_file = " + dir.resolve("userlist.txt"));
            replacements.put("logfile = /var/log/postgresql/pgbouncer.log", "logfile = " + dir.resolve("pgbouncer.log"));
            replacements.put("pidfile = /var/run/postgresql/pgbouncer.pid", "pidfile = " + dir.resolve("pgbouncer.pid"));
            String config = Files.readString(repository.resolve(ClusterNames.PGBOUNCER_CONFIG));
            for (Map.Entry<String, String> replacement : replacements.entrySet()) {
                if (!config.contains(replacement.getKey())) {
                    throw new IllegalStateException(ClusterNames.PGBOUNCER_CONFIG + " no longer holds '" + replacement.getKey()
                            + "', which the cluster test replaces: update DeployedPgBouncer");
                }
                config = config.replace(replacement.getKey(), replacement.getValue());
            }
            Files.writeString(dir.resolve("pgbouncer.ini"), config);
            // a plain password, which PgBouncer accepts in place of a SCRAM secret
            Files.writeString(dir.resolve("userlist.txt"), "\"" + user + "\" \"" + password + "\"\n");
            List<String> command = new ArrayList<>();
            // PgBouncer refuses to run as root: as root it runs in a user namespace of its own, where it
            // is nobody (as the embedded PostgreSQL does), still owning the files it made
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("unshare", "-U"));
            }
            command.addAll(List.of(ClusterNames.PGBOUNCER, dir.resolve("pgbouncer.ini").toString()));
            ChildProcess process = new ChildProcess("pgbouncer", command, Map.of(), dir.resolve("pgbouncer.out"));
            process.start();
            awaitListening(port, process);
            return new DeployedPgBouncer(process, port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PgBouncer", e);
        }
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        process.terminate(Duration.ofSeconds(10));
    }

    private static void awaitListening(int port, ChildProcess process) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("PgBouncer did not start:\n" + process.tail(20));
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(interrupted);
                }
            }
        }
    }
}
