package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.RestartablePostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/**
 * The cluster's PostgreSQL: a primary that can be restarted, a streaming-replication hot standby of it,
 * and PgBouncer in transaction mode in front of the primary. The servers write through PgBouncer and
 * read from the standby; the checks read both directly.
 */
final class ClusterDatabase implements AutoCloseable {

    /** The database the servers use. */
    static final String DATABASE = "hiring";
    static final String USER = "postgres";
    static final String PASSWORD = "postgres";

    private final RestartablePostgres primary;
    private final int primaryPort;
    private final LocalStandby standby;
    private final LocalPgBouncer pgbouncer;

    private ClusterDatabase(RestartablePostgres primary, int primaryPort, LocalStandby standby, LocalPgBouncer pgbouncer) {
        this.primary = primary;
        this.primaryPort = primaryPort;
        this.standby = standby;
        this.pgbouncer = pgbouncer;
    }

    /** Starts the three in {@code dir}; on failure, stops what started. */
    static ClusterDatabase start(Path dir) throws IOException, InterruptedException {
        Path primaryData = dir.resolve("primary");
        RestartablePostgres primary = RestartablePostgres.start(primaryData);
        LocalStandby standby = null;
        try {
            int primaryPort = Integer.parseInt(primary.jdbcUrl("x").replaceAll("^.*:(\\d+)/.*$", "$1"));
            primary.execute("postgres", "CREATE DATABASE " + DATABASE);
            standby = LocalStandby.start(primary, primaryData, primaryPort, dir.resolve("standby"));
            LocalPgBouncer pgbouncer = LocalPgBouncer.start(dir.resolve("pgbouncer"), Ports.free(), primaryPort);
            return new ClusterDatabase(primary, primaryPort, standby, pgbouncer);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (standby != null) {
                standby.close();
            }
            primary.close();
            throw e;
        }
    }

    /** The URL the servers write through: PgBouncer, without session state (user and password from the environment). */
    String pooledUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pgbouncer.port() + "/" + DATABASE + "?" + ClusterNames.PGBOUNCER_JDBC_PARAMETERS;
    }

    /** The standby's URL, which the servers read from. */
    String standbyUrl() {
        return "jdbc:postgresql://127.0.0.1:" + standby.port() + "/" + DATABASE + "?user=" + USER + "&password=" + PASSWORD;
    }

    /** The primary's URL, bypassing PgBouncer: for the checks. */
    String primaryUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + primaryPort + "/" + database + "?user=" + USER + "&password=" + PASSWORD;
    }

    /** A small pool straight to the primary (the checks), or to the standby. */
    HikariDataSource pool(String url, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(size);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    /** Restarts the primary as an administrator would (fast stop: sessions ended, open transactions rolled back). */
    void restartPrimary(Duration down) throws InterruptedException {
        primary.stop();
        Thread.sleep(down.toMillis());
        primary.start();
    }

    /** Creates an empty database on the primary (for the restore check). */
    void createDatabase(String name) {
        primary.execute("postgres", "CREATE DATABASE " + name);
    }

    /** Waits until the standby has replayed everything the primary had written when this was called. */
    void awaitStandbyCaughtUp(Duration timeout) throws SQLException, InterruptedException {
        String target;
        try (Connection c = DriverManager.getConnection(primaryUrl("postgres")); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            target = rs.getString(1);
        }
        Instant deadline = Instant.now().plus(timeout);
        try (Connection c = DriverManager.getConnection(standbyUrl()); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the standby did not replay up to " + target + " within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            pgbouncer.close();
        } finally {
            try {
                standby.close();
            } finally {
                primary.close();
            }
        }
    }
}
