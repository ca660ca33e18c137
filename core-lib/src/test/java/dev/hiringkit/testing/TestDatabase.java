package dev.hiringkit.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL server of a test JVM: the one given by {@code -Dhiring.test.jdbcUrl} (with
 * {@code hiring.test.user}/{@code hiring.test.password}), else an embedded server started on first use
 * and stopped when the JVM exits. Each call of {@link #newDatabase()} creates an empty database, so
 * test classes never see each other's rows.
 */
public final class TestDatabase {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Server server;

    private TestDatabase() {
    }

    /** A server's JDBC address and credentials. */
    public record Server(String jdbcUrl, String user, String password) {

        /** The JDBC URL of another database on the same server. */
        public String urlOf(String database) {
            int slash = jdbcUrl.lastIndexOf('/');
            int query = jdbcUrl.indexOf('?', slash);
            return jdbcUrl.substring(0, slash + 1) + database + (query < 0 ? "" : jdbcUrl.substring(query));
        }
    }

    /** A new, empty database with its own connection pool. */
    public static HikariDataSource newDatabase() {
        return newDatabase("");
    }

    /**
     * A new, empty database created with {@code options} appended to {@code CREATE DATABASE name}, for
     * example {@code TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'}.
     */
    public static HikariDataSource newDatabase(String options) {
        Server s = server();
        String name = "hiring_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name + " " + options);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name, e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(s.urlOf(name));
        config.setUsername(s.user());
        config.setPassword(s.password());
        config.setMaximumPoolSize(8);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    /** The server, started on first use. */
    public static synchronized Server server() {
        if (server == null) {
            String url = System.getProperty("hiring.test.jdbcUrl");
            if (url != null && !url.isBlank()) {
                server = new Server(url, System.getProperty("hiring.test.user", "postgres"),
                        System.getProperty("hiring.test.password", "postgres"));
            } else {
                server = startEmbedded();
            }
        }
        return server;
    }

    /**
     * The server stops when the JVM exits (its own hook, not zonky's, so that one stop comes first), and its
     * data directory is deleted without the exit waiting for it: see {@link ExitCleanup}.
     */
    private static Server startEmbedded() {
        try {
            Path directory = Files.createTempDirectory("hiring-test-postgres");
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .start();
            ExitCleanup.deleteAtExit(directory, () -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            });
            return new Server(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
    }
}
