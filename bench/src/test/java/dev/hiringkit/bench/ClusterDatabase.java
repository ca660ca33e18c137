package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.RestartablePostgres;
import dev.hiringkit.testing.TestStandby;
import java.nio.file.Path;
import java.time.Duration;

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
    private final TestStandby standby;
    private final DeployedPgBouncer pgbouncer;
    private final int pgbouncerPort;

    private ClusterDatabase(RestartablePostgres primary, int primaryPort, TestStandby standby, DeployedPgBouncer pgbouncer,
            int pgbouncerPort) {
        this.primary = primary;
        this.primaryPort = primaryPort;
        this.standby = standby;
        this.pgbouncer = pgbouncer;
        this.pgbouncerPort = pgbouncerPort;
    }

    /**
     * Starts the three in {@code dir}, PgBouncer from the repository's configuration when it has one;
     * on failure, stops what started.
     */
    static ClusterDatabase start(Path dir, Path repository) {
        RestartablePostgres primary = RestartablePostgres.start(dir.resolve("primary"));
        TestStandby standby = null;
        try {
            int primaryPort = Integer.parseInt(primary.jdbcUrl("x").replaceAll("^.*:(\\d+)/.*$", "$1"));
            primary.execute("postgres", "CREATE DATABASE " + DATABASE);
            standby = TestStandby.start(primary, dir.resolve("standby"));
            DeployedPgBouncer pgbouncer = DeployedPgBouncer.start(repository, dir.resolve("pgbouncer"), primaryPort, USER, PASSWORD);
            return new ClusterDatabase(primary, primaryPort, standby, pgbouncer, pgbouncer.port());
        } catch (RuntimeException e) {
            if (standby != null) {
                standby.close();
            }
            primary.close();
            throw e;
        }
    }

    /** The URL the servers write through: PgBouncer (user and password from the environment). */
    String pooledUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pgbouncerPort + "/" + DATABASE;
    }

    /** The standby's URL, which the servers read from. */
    String standbyUrl() {
        return standby.jdbcUrl(DATABASE);
    }

    /** The primary's URL without user and password (from the environment), bypassing PgBouncer: for LISTEN. */
    String directUrl() {
        return "jdbc:postgresql://127.0.0.1:" + primaryPort + "/" + DATABASE;
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
    void awaitStandbyCaughtUp(Duration timeout) {
        standby.awaitCatchUp(timeout);
    }

    @Override
    public void close() {
        try {
            pgbouncer.close();
        } catch (Exception e) {
            System.err.println("Could not stop PgBouncer: " + e.getMessage());
        } finally {
            try {
                standby.close();
            } finally {
                primary.close();
            }
        }
    }
}
