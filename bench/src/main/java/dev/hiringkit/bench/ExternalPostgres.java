package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster made with a Debian server package's own initdb, so that its pg_dump and
 * pg_restore are of the server's major version (pg_dump refuses a newer server, and the embedded
 * binaries ship no pg_dump). Runs as the {@code postgres} user when started as root (the server refuses
 * root); stopped and deleted on close.
 */
final class ExternalPostgres implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;
    private int databases;

    private ExternalPostgres(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** The newest Debian server package's binaries (/usr/lib/postgresql/N/bin with initdb, pg_dump, pg_restore). */
    static Path debianBinaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Stream.of("initdb", "pg_ctl", "pg_dump", "pg_restore")
                            .allMatch(tool -> Files.isExecutable(b.resolve(tool))))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("This benchmark needs a PostgreSQL server package with its client tools"
                    + " (Debian: apt-get install postgresql-15): no /usr/lib/postgresql/N/bin has initdb, pg_ctl,"
                    + " pg_dump and pg_restore");
        }
    }

    /** initdb in a new temporary directory, then start it on a free port with the settings given. */
    static ExternalPostgres start(Path bin, String... settings) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("hiring-bench-pg");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ExternalPostgres pg = new ExternalPostgres(bin, dir, port, root);
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        pg.tool("initdb", "-D", dir.resolve("data").toString(), "-U", "hiring", "-A", "trust", "-E", "UTF8",
                "--no-locale");
        List<String> options = new ArrayList<>(List.of("-p", String.valueOf(port), "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=" + dir));
        for (String setting : settings) {
            options.add("-c");
            options.add(setting);
        }
        pg.tool("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w",
                "-o", String.join(" ", options), "start");
        return pg;
    }

    /** The client tool's first line of {@code --version}, e.g. "pg_dump (PostgreSQL) 15.18 (...)". */
    String version(String tool) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(bin.resolve(tool).toString(), "--version").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        process.waitFor();
        return out;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=hiring";
    }

    /** A new empty database with a small pool. */
    HikariDataSource create(String prefix) throws SQLException {
        String name = prefix + "_" + (++databases);
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres")); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(name));
        config.setMaximumPoolSize(4);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    /** Runs a client tool (pg_dump, pg_restore) against a database of this cluster, as the current user. */
    void client(String tool, String database, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(bin.resolve(tool).toString(), "-h", "127.0.0.1", "-p",
                String.valueOf(port), "-U", "hiring", "-d", database));
        command.addAll(List.of(args));
        run(command);
    }

    private void tool(String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asPostgres) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(args));
        run(command);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            tool("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Could not delete " + dir + ": " + e.getMessage());
        }
    }
}
