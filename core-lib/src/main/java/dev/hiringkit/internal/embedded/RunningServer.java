package dev.hiringkit.internal.embedded;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * An embedded PostgreSQL shared by the process that runs it: its pid and the server's port, in the
 * file {@code postgres.running} of the data directory, written when the server has started and removed
 * when it stops cleanly. A file left by a killed process is stale: its process is gone, or its port
 * answers with another server, or none; {@link #serves} finds that out, so such a file is ignored.
 */
record RunningServer(long pid, int port) {

    private static final String FILE_NAME = "postgres.running";

    /** How long the check of a recorded server waits for it to answer: it runs on this machine. */
    private static final int CHECK_TIMEOUT_SECONDS = 2;

    static Path file(Path dataDirectory) {
        return dataDirectory.resolve(FILE_NAME);
    }

    /** This process, sharing a server on {@code port}. */
    static RunningServer of(int port) {
        return new RunningServer(ProcessHandle.current().pid(), port);
    }

    /** The server recorded in {@code file}; empty when there is none or the file is not one this class wrote. */
    static Optional<RunningServer> read(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
            return Optional.of(new RunningServer(Long.parseLong(properties.getProperty("pid", "").trim()),
                    Integer.parseInt(properties.getProperty("port", "").trim())));
        } catch (IOException | NumberFormatException e) {
            // NoSuchFileException most often: no server is shared there.
            return Optional.empty();
        }
    }

    /** Records this server in {@code file}, whole or not at all (a reader never sees half a file). */
    void write(Path file) {
        Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(pid));
        properties.setProperty("port", Integer.toString(port));
        try {
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                properties.store(out, "The embedded PostgreSQL of a running hiring process; removed when it stops");
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes {@code file} when it records this process's server; another process's stays. */
    static void remove(Path file) {
        if (read(file).map(r -> r.pid() == ProcessHandle.current().pid()).orElse(false)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Stale from now on: its process ends, and the next start ignores it.
            }
        }
    }

    /**
     * True when the recorded process is alive and its port answers with the server of
     * {@code postgresDirectory}: a pid reused by another program, or a port reused by another server,
     * does not pass.
     */
    boolean serves(Path postgresDirectory) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        PGSimpleDataSource server = new PGSimpleDataSource();
        server.setUrl(jdbcUrl());
        server.setConnectTimeout(CHECK_TIMEOUT_SECONDS);
        server.setSocketTimeout(CHECK_TIMEOUT_SECONDS);
        try (Connection c = server.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW data_directory")) {
            return rs.next() && Files.isSameFile(Path.of(rs.getString(1)), postgresDirectory);
        } catch (SQLException | IOException e) {
            return false;
        }
    }

    /** The {@code postgres} database as its superuser, as {@link EmbeddedDatabase#jdbcUrl()}. */
    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    }
}
