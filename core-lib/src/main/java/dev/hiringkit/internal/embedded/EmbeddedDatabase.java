package dev.hiringkit.internal.embedded;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by HiringKit itself (zonky's embedded binaries), with its data in a directory
 * that outlives it: {@code HiringKit.builder().embedded(dir)} and the command line's default database.
 * Nothing to install; the binaries come from a Maven artifact.
 *
 * <p>A data directory holds the server's files in {@code postgres/}. The owner that {@linkplain #open
 * shares} its server ({@code hiring serve}) records its pid and port in {@code postgres.running}
 * ({@link RunningServer}), and another process opening the same directory while it runs uses that server
 * instead of failing on the directory's lock.
 *
 * <p>Public only for the command line and the benchmarks: not API.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    /** The directory of a data directory that holds the server's files. */
    public static final String POSTGRES_DIRECTORY = "postgres";

    /** Null when this process uses a server another process owns. */
    private final EmbeddedPostgres postgres;
    private final Path postgresDirectory;
    private final String jdbcUrl;
    /** The file that shares this server with other processes; null when it is not shared. */
    private final Path sharedFile;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path postgresDirectory, String jdbcUrl, Path sharedFile) {
        this.postgres = postgres;
        this.postgresDirectory = postgresDirectory;
        this.jdbcUrl = jdbcUrl;
        this.sharedFile = sharedFile;
    }

    /**
     * The server of {@code dataDirectory}: the one another process shares there, when it runs; else one
     * started now on a free port, its files in {@code dataDirectory/postgres} (created on first use), and
     * shared when {@code share} is true, until {@link #close()}.
     */
    public static EmbeddedDatabase open(Path dataDirectory, boolean share) {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        Path postgresDirectory = dir.resolve(POSTGRES_DIRECTORY);
        Path shared = RunningServer.file(dir);
        Optional<RunningServer> running = RunningServer.read(shared).filter(r -> r.serves(postgresDirectory));
        if (running.isPresent()) {
            LOG.info("Using the PostgreSQL server of process {} on port {} for {}", running.get().pid(),
                    running.get().port(), dir);
            return new EmbeddedDatabase(null, postgresDirectory, running.get().jdbcUrl(), null);
        }
        EmbeddedDatabase started = start(postgresDirectory);
        if (!share) {
            return started;
        }
        try {
            RunningServer.of(started.postgres.getPort()).write(shared);
        } catch (UncheckedIOException e) {
            started.close();
            throw new HiringException(Code.DATABASE_UNAVAILABLE, "Could not record the embedded PostgreSQL in "
                    + shared + ": " + e.getMessage(), e);
        }
        return new EmbeddedDatabase(started.postgres, postgresDirectory, started.jdbcUrl, shared);
    }

    /** Starts a server on a free port with its files in {@code postgresDirectory}, created on first use; not shared. */
    public static EmbeddedDatabase start(Path postgresDirectory) {
        Path dir = postgresDirectory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            stopStaleServer(dir);
            if (isLockedByLiveProcess(dir)) {
                throw new HiringException(Code.DATABASE_UNAVAILABLE, "The database directory " + dir + " is in use by"
                        + " another hiring process (only a running 'hiring serve' shares its database)");
            }
        } catch (IOException e) {
            throw new HiringException(Code.DATABASE_UNAVAILABLE, "Could not use the database directory " + dir + ": "
                    + e.getMessage(), e);
        }
        ExtractedBinaries binaries = ExtractedBinaries.beside(dir);
        try {
            EmbeddedPostgres postgres = binaries.usable() ? startFromRemembered(binaries, dir)
                    : startAndRemember(binaries, dir);
            return new EmbeddedDatabase(postgres, dir, postgres.getJdbcUrl("postgres", "postgres"), null);
        } catch (IOException | IllegalStateException e) {
            // initdb or postgres failed (their output is logged), or another process took the directory first.
            throw new HiringException(Code.DATABASE_UNAVAILABLE, "PostgreSQL did not start in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Starts from the binaries an earlier start remembered; the usual way if zonky refuses them after all
     * (it then tried to extract the few bytes it was given: before it used the directory, so nothing is
     * held).
     */
    private static EmbeddedPostgres startFromRemembered(ExtractedBinaries binaries, Path dir) throws IOException {
        try {
            return binaries.applyTo(builder(dir)).start();
        } catch (ExceptionInInitializerError e) {
            LOG.warn("The PostgreSQL binaries remembered in {} could not be used; finding them again", binaries.link(), e);
            return startAndRemember(binaries, dir);
        }
    }

    /** Starts the usual way, zonky finding (or extracting) its binaries, and remembers where they are. */
    private static EmbeddedPostgres startAndRemember(ExtractedBinaries binaries, Path dir) throws IOException {
        EmbeddedPostgres postgres = builder(dir).start();
        serverProcess(dir).ifPresent(binaries::remember);
        return postgres;
    }

    private static EmbeddedPostgres.Builder builder(Path dir) {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dir.toFile())
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                // The library's builder defaults suit throwaway test servers (fsync off); this one keeps
                // a user's data, so it is durable.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("max_connections", "100");
    }

    /**
     * A server whose hiring process was killed keeps running and holds the directory: stop it, so that
     * the data stays usable. postmaster.pid's first line is the server's process id.
     */
    private static void stopStaleServer(Path dir) throws IOException {
        Optional<ProcessHandle> server = serverProcess(dir);
        if (server.isPresent() && server.get().isAlive()
                && server.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
            if (isLockedByLiveProcess(dir)) {
                return;
            }
            LOG.warn("Stopping a PostgreSQL server (pid {}) left running on {}", server.get().pid(), dir);
            server.get().destroy();
            server.get().onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    /** The process postmaster.pid names (its first line), when it is alive. */
    private static Optional<ProcessHandle> serverProcess(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            // NoSuchFileException most often: no server has run there, or it stopped cleanly.
            return Optional.empty();
        }
    }

    /** True when another hiring process holds the directory (zonky's lock file). */
    private static boolean isLockedByLiveProcess(Path dir) throws IOException {
        Path lock = dir.resolve("epg-lock");
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                return true;
            }
            fileLock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }

    /** The {@code postgres} database as its superuser, who signs in without a password (initdb's trust). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The server's files. */
    public Path dataDirectory() {
        return postgresDirectory;
    }

    /** True when the server is another process's, used while that process runs. */
    public boolean isBorrowed() {
        return postgres == null;
    }

    /**
     * Lends the server to no new process from now on (removes its shared file), while it keeps running: called
     * as a stop begins, so that a command or a second serve started during the stop's drain does not take up a
     * server about to go, but starts one of its own once this one is gone (or is told the directory is in use).
     */
    public void stopSharing() {
        if (sharedFile != null) {
            RunningServer.remove(sharedFile);
        }
    }

    /** Stops the server when this process started it (after removing its shared file); else does nothing. */
    @Override
    public void close() {
        stopSharing();
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new HiringException(Code.DATABASE_ERROR, "Could not stop the embedded PostgreSQL in "
                        + postgresDirectory + ": " + e.getMessage(), e);
            }
        }
    }
}
