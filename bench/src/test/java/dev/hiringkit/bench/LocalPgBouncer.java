package dev.hiringkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * PgBouncer in transaction mode in front of one PostgreSQL. PgBouncer refuses to run as root, so as
 * root it runs as nobody (setpriv), which is why its directory is world-readable.
 */
final class LocalPgBouncer implements AutoCloseable {

    private final ChildProcess process;
    private final int port;

    private LocalPgBouncer(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static LocalPgBouncer start(Path dir, int port, int postgresPort) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path ini = dir.resolve("pgbouncer.ini");
        Files.writeString(ini, String.join("\n",
                "[databases]",
                "* = host=127.0.0.1 port=" + postgresPort + " user=postgres",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = any",
                "pool_mode = transaction",
                // three instances of 10 connections each, and the harness's own
                "max_client_conn = 200",
                "default_pool_size = 20",
                // the JDBC driver sets it at connect; PgBouncer does not track it
                "ignore_startup_parameters = extra_float_digits",
                ""));
        Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r--r--"));
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> command = root
                ? List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", ClusterNames.PGBOUNCER, ini.toString())
                : List.of(ClusterNames.PGBOUNCER, ini.toString());
        ChildProcess process = new ChildProcess("pgbouncer", command, Map.of(), dir.resolve("pgbouncer.out"));
        process.start();
        Ports.awaitListening(port, process);
        return new LocalPgBouncer(process, port);
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        process.terminate(java.time.Duration.ofSeconds(5));
    }
}
