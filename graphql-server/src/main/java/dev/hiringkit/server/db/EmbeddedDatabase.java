package dev.hiringkit.server.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by HiringKit itself, with its data in a directory that outlives it: the
 * default database when no JDBC URL is given. Nothing to install; binaries come from a Maven artifact.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /** Starts a server on a free port with its data in {@code dataDirectory}, created on first use. */
    public static EmbeddedDatabase start(Path dataDirectory) throws IOException {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        stopStaleServer(dir);
        if (isLockedByLiveProcess(dir)) {
            throw new IOException("The database directory " + dir + " is in use by another hiring process");
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir.toFile())
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // The library's builder defaults suit throwaway test servers (fsync off); this one keeps
                    // a user's data, so it is durable.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("max_wal_size", "2GB")
                    .setServerConfig("max_connections", "100")
                    .start();
            return new EmbeddedDatabase(postgres, dir);
        } catch (IllegalStateException e) {
            // initdb or postgres failed (their output is logged), or another process took the directory first.
            throw new IOException("PostgreSQL did not start in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A server whose hiring process was killed keeps running and holds the directory: stop it, so that
     * the data stays usable. postmaster.pid's first line is the server's process id.
     */
    private static void stopStaleServer(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        Optional<ProcessHandle> server = lines.isEmpty() ? Optional.empty()
                : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        if (server.isPresent() && server.get().isAlive()
                && server.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
            if (isLockedByLiveProcess(dir)) {
                return;
            }
            LOG.warn("Stopping a PostgreSQL server (pid {}) left running on {}", server.get().pid(), dir);
            server.get().destroy();
            server.get().onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        }
    }

    /** True when another hiring process holds the directory (zonky's lock file). */
    private static boolean isLockedByLiveProcess(Path dir) throws IOException {
        Path lock = dir.resolve("epg-lock");
        if (!Files.exists(lock)) {
            return false;
        }
        try (var channel = java.nio.channels.FileChannel.open(lock, java.nio.file.StandardOpenOption.WRITE)) {
            var fileLock = channel.tryLock();
            if (fileLock == null) {
                return true;
            }
            fileLock.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true;
        }
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
