package dev.hiringkit.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.Driver;

/**
 * A streaming-replication hot standby of a running PostgreSQL primary, made with the same binaries the
 * tests already use. The embedded bundle has no {@code pg_basebackup}, so the standby is made as the
 * manual says a base backup can be: {@code pg_backup_start}, a copy of the primary's data directory,
 * {@code pg_backup_stop} whose label goes into the copy, then {@code standby.signal} and a
 * {@code primary_conninfo}. A physical replication slot on the primary keeps the WAL the standby has not
 * received yet, so a standby stopped for a while catches up when started again.
 *
 * <p>The primary must be a local server whose data directory this JVM can read (an embedded or
 * {@link RestartablePostgres} server), reached as a superuser, with replication connections allowed from
 * localhost (the embedded server's {@code initdb -A trust} allows them).
 */
public final class TestStandby implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** What a base backup leaves out of the copy (after pg_basebackup's list): the server's own run-time files. */
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "epg-lock",
            "backup_label", "backup_label.old", "tablespace_map", "backup_manifest", "standby.signal",
            "recovery.signal", "pg_internal.init");

    /** Directories whose contents a base backup leaves out: they are rebuilt or meaningless on another server. */
    private static final Set<String> EMPTIED_DIRECTORIES = Set.of("pg_wal", "pg_replslot", "pg_dynshmem",
            "pg_notify", "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");

    private final String primaryUrl;
    private final String database;
    private final String slot;
    private final RestartablePostgres server;

    private TestStandby(String primaryUrl, String database, String slot, RestartablePostgres server) {
        this.primaryUrl = primaryUrl;
        this.database = database;
        this.slot = slot;
        this.server = server;
    }

    /** A new standby of {@code primary}, its data in {@code directory} (absent or empty), started. */
    public static TestStandby start(RestartablePostgres primary, Path directory) {
        return start(primary.jdbcUrl("postgres"), directory);
    }

    /**
     * A new standby of the server {@code primaryJdbcUrl} points at (a superuser's URL, user and password
     * in it), its data in {@code directory} (absent or empty), started and accepting read-only
     * connections. {@link #jdbcUrl()} names the same database on the standby. The URL must reach
     * PostgreSQL itself, not a pooler in transaction mode: the backup's start and stop must run in one
     * session.
     */
    public static TestStandby start(String primaryJdbcUrl, Path directory) {
        Properties url = Driver.parseURL(primaryJdbcUrl, null);
        if (url == null) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + primaryJdbcUrl);
        }
        String slot = "hiring_standby_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(primaryJdbcUrl); Statement s = c.createStatement()) {
            String dataDirectory = single(s, "SHOW data_directory");
            String conninfo = "host=" + single(s, "SELECT host(inet_server_addr())")
                    + " port=" + single(s, "SELECT inet_server_port()")
                    + " user=" + single(s, "SELECT current_user")
                    + (url.getProperty("password") == null ? "" : " password=" + url.getProperty("password"))
                    + " application_name=" + slot;
            // Reserved now, before the backup starts, so the primary keeps every WAL segment from the
            // backup's start until the standby has received it.
            s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            Files.createDirectories(directory);
            s.execute("SELECT pg_backup_start('" + slot + "', true)");
            try {
                copyDataDirectory(Path.of(dataDirectory), directory);
            } finally {
                try (ResultSet rs = s.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
                    rs.next();
                    Files.writeString(directory.resolve("backup_label"), rs.getString(1), StandardCharsets.UTF_8);
                    String tablespaceMap = rs.getString(2);
                    if (tablespaceMap != null && !tablespaceMap.isEmpty()) {
                        Files.writeString(directory.resolve("tablespace_map"), tablespaceMap, StandardCharsets.UTF_8);
                    }
                }
            }
            Files.createFile(directory.resolve("standby.signal"));
            Files.writeString(directory.resolve("postgresql.auto.conf"), "\n"
                    + "primary_conninfo = '" + conninfo.replace("'", "''") + "'\n"
                    + "primary_slot_name = '" + slot + "'\n"
                    + "hot_standby = on\n"
                    // Answers within a second when a test pauses replay or the standby falls behind.
                    + "wal_receiver_status_interval = 1s\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (SQLException e) {
            throw new IllegalStateException("could not take a base backup of " + primaryJdbcUrl, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy the primary's data directory into " + directory, e);
        }
        RestartablePostgres server = RestartablePostgres.start(directory);
        return new TestStandby(primaryJdbcUrl, url.getProperty("PGDBNAME"), slot, server);
    }

    /** The JDBC URL, user and password in it, of the primary URL's database on the standby. */
    public String jdbcUrl() {
        return server.jdbcUrl(database);
    }

    /** The JDBC URL, user and password in it, of {@code database} on the standby. */
    public String jdbcUrl(String database) {
        return server.jdbcUrl(database);
    }

    /** A small pool on {@code database} of the standby that fails fast while the standby is down (as {@link RestartablePostgres#newPool}). */
    public HikariDataSource newPool(String database) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(database));
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(2_000);
        config.setReadOnly(true);
        config.setPoolName("standby-" + database);
        return new HikariDataSource(config);
    }

    /**
     * Waits until the standby has replayed everything the primary had written when this was called, so
     * that reads on the standby see every transaction committed before. The mark is a WAL message written
     * and flushed on the primary: comparing with {@code pg_current_wal_lsn()} instead can wait for a
     * record that ends on a page the primary has not flushed yet.
     */
    public void awaitCatchUp(Duration timeout) {
        String mark;
        try (Connection c = DriverManager.getConnection(primaryUrl); Statement s = c.createStatement()) {
            mark = single(s, "SELECT pg_logical_emit_message(false, 'hiring_standby', 'catch-up', true)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not mark the primary's WAL", e);
        }
        Instant deadline = Instant.now().plus(timeout);
        // The message's LSN is where its record ends (what XLogInsert returns)
        String replayed = "SELECT pg_last_wal_replay_lsn() >= '" + mark + "'::pg_lsn";
        while (true) {
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres")); Statement s = c.createStatement()) {
                while (true) {
                    if ("t".equals(single(s, replayed))) {
                        return;
                    }
                    checkDeadline(deadline, timeout, mark, null);
                    Thread.sleep(20);
                }
            } catch (SQLException e) {
                checkDeadline(deadline, timeout, mark, e);
                sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Pauses WAL replay on the standby ({@code pg_wal_replay_pause()}): it keeps receiving, its data stops changing. */
    public void pauseReplay() {
        server.execute("postgres", "SELECT pg_wal_replay_pause()");
    }

    /** Resumes WAL replay paused by {@link #pauseReplay()}. */
    public void resumeReplay() {
        server.execute("postgres", "SELECT pg_wal_replay_resume()");
    }

    /** Stops the standby ({@code pg_ctl stop -m fast}); its slot keeps the primary's WAL for when it starts again. */
    public void stop() {
        server.stop();
    }

    /** Starts the standby again on its data directory and port; it catches up from its slot. Does nothing when it runs. */
    public void start() {
        server.start();
    }

    /** Stops the standby and drops its replication slot, so the primary no longer keeps WAL for it. */
    @Override
    public void close() {
        server.stop();
        // The primary's WAL sender notices the standby has gone a moment later; the slot stays active until then.
        String drop = "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                + slot + "' AND NOT active";
        String left = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'";
        Instant deadline = Instant.now().plusSeconds(10);
        try (Connection c = DriverManager.getConnection(primaryUrl); Statement s = c.createStatement()) {
            s.execute(drop);
            while (!"0".equals(single(s, left)) && Instant.now().isBefore(deadline)) {
                sleep(50);
                s.execute(drop);
            }
        } catch (SQLException e) {
            // the primary is already stopped: its slots go with it
        }
    }

    /**
     * Copies a running server's data directory as a base backup does: files may change or vanish while
     * they are copied (WAL replay from the backup's start repairs what changed), and the server's run-time
     * files and WAL are left out.
     */
    private static void copyDataDirectory(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path relative = from.relativize(dir);
                if (emptied(relative)) {
                    // PostgreSQL makes pg_wal/archive_status and pg_wal/summaries again when it starts
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Path copy = to.resolve(relative.toString());
                Files.createDirectories(copy);
                // PostgreSQL refuses to start on a data directory others may read (0700 or 0750 only).
                Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(dir));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path relative = from.relativize(file);
                String name = file.getFileName().toString();
                if (!attrs.isRegularFile() || emptied(relative) || SKIPPED_FILES.contains(name) || name.startsWith("pgsql_tmp")) {
                    return FileVisitResult.CONTINUE;
                }
                try {
                    Files.copy(file, to.resolve(relative.toString()), StandardCopyOption.COPY_ATTRIBUTES);
                } catch (NoSuchFileException vanished) {
                    // dropped while we copied: WAL replay drops it on the standby too
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    private static boolean emptied(Path relative) {
        return relative.getNameCount() > 1 && EMPTIED_DIRECTORIES.contains(relative.getName(0).toString());
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void checkDeadline(Instant deadline, Duration timeout, String mark, SQLException cause) {
        if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException("the standby did not replay the primary's WAL up to " + mark
                    + " within " + timeout, cause);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
