package dev.hiringkit.bench;

import dev.hiringkit.testing.RestartablePostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A streaming-replication hot standby of a {@link RestartablePostgres}, from the same embedded binaries
 * (which have no pg_basebackup): the primary's data directory copied while the primary is stopped, a
 * replication slot so the primary keeps the WAL the standby has not received, and standby.signal.
 */
final class LocalStandby implements AutoCloseable {

    private static final String SLOT = "cluster_standby";
    /** The primary's files a copy must not carry: its pid and zonky's lock. */
    private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock");

    private final EmbeddedPostgres postgres;

    private LocalStandby(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Stops the primary, copies its data into {@code dir}, starts it again, then the standby on a free port. */
    static LocalStandby start(RestartablePostgres primary, Path primaryData, int primaryPort, Path dir) throws IOException {
        primary.execute("postgres", "SELECT pg_create_physical_replication_slot('" + SLOT + "')");
        primary.stop();
        try {
            copy(primaryData, dir);
        } finally {
            primary.start();
        }
        Files.writeString(dir.resolve("standby.signal"), "");
        Files.writeString(dir.resolve("postgresql.auto.conf"), "\nprimary_conninfo = 'host=localhost port=" + primaryPort
                + " user=postgres application_name=cluster_standby'\nprimary_slot_name = '" + SLOT + "'\n",
                StandardOpenOption.APPEND, StandardOpenOption.CREATE);
        ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(dir.resolveSibling("standby.log").toFile());
        return new LocalStandby(EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                .setServerConfig("hot_standby", "on").setOutputRedirector(log).setErrorRedirector(log)
                .setPGStartupWait(java.time.Duration.ofSeconds(60)).start());
    }

    int port() {
        return postgres.getPort();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                if (NOT_COPIED.contains(path.getFileName().toString())) {
                    continue;
                }
                Path target = to.resolve(from.relativize(path).toString());
                // directories too: PostgreSQL wants its data directory's mode (0700) kept
                Files.createDirectories(target.getParent());
                Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
