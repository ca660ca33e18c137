package dev.hiringkit.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PostgreSQL server of one test class that the test can stop and start again, as an administrator
 * restarting it would: same data directory, same port, so pools and URLs outlive the restart. Fault
 * tests stop it in the middle of an operation (from a progress callback, or while the operation waits
 * for a lock the test holds) and check what the operation leaves behind.
 */
public final class RestartablePostgres implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres postgres;

    private RestartablePostgres(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /** A new server with its data in {@code dataDirectory}, started on a free port. */
    public static RestartablePostgres start(Path dataDirectory) {
        RestartablePostgres server = new RestartablePostgres(dataDirectory, freePort());
        server.start();
        return server;
    }

    /** Starts the server again on its data directory and port; does nothing when it runs. */
    public synchronized void start() {
        if (postgres != null) {
            return;
        }
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL on " + dataDirectory, e);
        }
    }

    /**
     * Starts the server again and waits until every pool reaches it, as an application would retry
     * before it runs the operation again. HikariCP hands out a connection used in the last 500 ms without
     * checking it (its alive-bypass window): a real restart takes longer, this one may not, so the pools
     * drop their connections, as they would find them dead after a real restart. And a pool that failed
     * to connect while the server was down waits up to 5 seconds before it tries again.
     */
    public void startAndReconnect(Iterable<HikariDataSource> pools) throws InterruptedException {
        start();
        for (HikariDataSource pool : pools) {
            pool.getHikariPoolMXBean().softEvictConnections();
            Instant deadline = Instant.now().plusSeconds(20);
            while (true) {
                try (Connection c = pool.getConnection()) {
                    break;
                } catch (SQLException e) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new AssertionError("the pool of " + pool.getPoolName() + " never reconnected", e);
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    /**
     * Stops the server as {@code pg_ctl stop -m fast} does: every session is ended at once, its open
     * transaction rolled back. Returns when the server has exited.
     */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop PostgreSQL on " + dataDirectory, e);
        } finally {
            postgres = null;
        }
    }

    /** The JDBC URL of {@code database}, with the user and password in it. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres&password=postgres";
    }

    /** Creates a new, empty database and returns its name. */
    public String newDatabase() {
        return newDatabase("template1");
    }

    /** Creates a new database as a copy of {@code template} (which nobody may be connected to). */
    public String newDatabase(String template) {
        String name = "fault_" + COUNTER.incrementAndGet();
        execute("postgres", "CREATE DATABASE " + name + " TEMPLATE " + template);
        return name;
    }

    /**
     * A pool on {@code database} that gives up on a connection after 2 seconds (HikariCP's default is
     * 30), so a call made while the server is down fails quickly.
     */
    public HikariDataSource newPool(String database) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(database));
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(2_000);
        config.setPoolName(database);
        return new HikariDataSource(config);
    }

    /** Runs one statement on its own connection. */
    public void execute(String database, String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(database)); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed on " + database, e);
        }
    }

    /**
     * Waits until some session of {@code database} waits for a lock (one the test holds, say), so that
     * the test can stop the server in the middle of that session's work.
     */
    public void awaitLockWait(String database, Duration timeout) {
        awaitLockWait(database, "%", timeout);
    }

    /** Waits until a session of {@code database} running a statement {@code LIKE statement} waits for a lock. */
    public void awaitLockWait(String database, String statement, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database + "' AND wait_event_type = 'Lock'"
                + " AND query LIKE '" + statement.replace("'", "''") + "'";
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres")); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("no session of " + database + " running " + statement
                            + " waited for a lock within " + timeout);
                }
                Thread.sleep(10);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not watch the sessions of " + database, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
