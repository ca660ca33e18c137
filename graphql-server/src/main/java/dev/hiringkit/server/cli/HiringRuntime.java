package dev.hiringkit.server.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.server.auth.AccountChanges;
import dev.hiringkit.server.db.DatabaseFailures;
import dev.hiringkit.internal.embedded.EmbeddedDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import software.amazon.awssdk.services.s3.S3Client;

/** A started {@link HiringKit}: the database (given or embedded), its pool, the migrated schema. */
final class HiringRuntime implements AutoCloseable {

    /** The longest a read waits for a connection of the read replica before it goes to the primary. */
    private static final Duration READ_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private static final int MAXIMUM_POOL_SIZE = 10;
    /** Connections a command's pool keeps open: the one it opens at start. */
    private static final int COMMAND_MINIMUM_IDLE = 1;
    /** How long a command waits for a connection: HikariCP's default. */
    private static final Duration COMMAND_CONNECT_TIMEOUT = Duration.ofSeconds(30);

    /** The embedded server this process uses; null with --db-url. Set by the opening, read after it. */
    private volatile EmbeddedDatabase embedded;
    private final HikariDataSource pool;
    /** The read replica's pool; null without --db-read-url. */
    private final HikariDataSource readPool;
    private final S3Client s3;
    private final HiringKit kit;
    private final boolean transactionPooler;
    /** Done when the database is open and its schema checked; a command's runtime is made so. */
    private final CompletableFuture<Void> opened = new CompletableFuture<>();

    private HiringRuntime(EmbeddedDatabase embedded, HikariDataSource pool, HikariDataSource readPool, S3Client s3,
            HiringKit kit, boolean transactionPooler) {
        this.embedded = embedded;
        this.pool = pool;
        this.readPool = readPool;
        this.s3 = s3;
        this.kit = kit;
        this.transactionPooler = transactionPooler;
    }

    /**
     * For a command: its pool opens connections as they are asked for (one at start), since most commands
     * use one or two; opening all 10 at start cost 0.1-0.2 s of a report's 2 s on this 2-core machine.
     */
    static HiringRuntime start(DatabaseOptions options) {
        // One client serves the S3 archive and s3:// sources alike; without S3 options, the library
        // makes a default one only if an s3:// source comes.
        S3Client s3 = options.usesS3() ? options.newS3Client() : null;
        try {
            return start(options, s3, options.archiveStore(s3));
        } catch (RuntimeException e) {
            if (s3 != null) {
                s3.close();
            }
            throw e;
        }
    }

    /**
     * For the server: a pool that waits at most {@code connectTimeout} for a connection, then fails, and keeps
     * idempotency keys for {@code idempotencyRetention}. Its pool keeps 10 connections open, filled in the
     * background after the first, for requests that come at once. Its embedded database, if it starts one, is
     * shared: commands run on the same data directory meanwhile use it. Returns once the database is open:
     * {@link #opening} and {@link #awaitOpen()} in one.
     */
    static HiringRuntime start(DatabaseOptions options, Duration connectTimeout, Duration idempotencyRetention) {
        HiringRuntime runtime = opening(options, connectTimeout, idempotencyRetention, dataSource -> { });
        try {
            runtime.awaitOpen();
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /**
     * The server's runtime (as {@link #start(DatabaseOptions, Duration, Duration)}), returned at once while a
     * thread of its own opens the database: starts the embedded server or connects, checks the schema, then
     * runs {@code afterOpen} there with the pool. Meanwhile the caller wires {@link #kit()} and {@link #dataSource()} into
     * the server, which uses neither before {@link #awaitOpen()}: on this 2-core machine, building the GraphQL
     * schema and Jetty's handlers (0.35-0.45 s) then overlaps opening the database (0.3 s with --db-url, 0.5 s
     * and more embedded) instead of following it.
     */
    static HiringRuntime opening(DatabaseOptions options, Duration connectTimeout, Duration idempotencyRetention,
            Consumer<DataSource> afterOpen) {
        Duration maxReplicaLag = maxReplicaLag(options);
        S3Client s3 = options.usesS3() ? options.newS3Client() : null;
        // Not started here: the opening thread's first connection starts it, once the URL is known.
        HikariDataSource pool = new HikariDataSource();
        HikariDataSource readPool = null;
        try {
            configure(pool, options, connectTimeout, MAXIMUM_POOL_SIZE);
            readPool = readPool(options, connectTimeout, MAXIMUM_POOL_SIZE);
            HiringKit kit = kit(options, pool, readPool, s3, options.archiveStore(s3), idempotencyRetention,
                    maxReplicaLag);
            HiringRuntime runtime = new HiringRuntime(null, pool, readPool, s3, kit, isPooled(options));
            Thread thread = new Thread(() -> {
                try {
                    runtime.open(options);
                    afterOpen.accept(runtime.pool);
                    runtime.opened.complete(null);
                } catch (RuntimeException | Error e) {
                    runtime.opened.completeExceptionally(e);
                }
            }, "hiring-open-database");
            thread.setDaemon(true);
            thread.start();
            return runtime;
        } catch (RuntimeException e) {
            pool.close();
            if (readPool != null) {
                readPool.close();
            }
            if (s3 != null) {
                s3.close();
            }
            throw e;
        }
    }

    /** On the opening thread: the embedded server started or found, the pool's first connection, the schema. */
    private void open(DatabaseOptions options) {
        if (!hasDbUrl(options)) {
            embedded = EmbeddedDatabase.open(options.dataDir, true);
            pool.setJdbcUrl(embedded.jdbcUrl());
        }
        try (Connection first = pool.getConnection()) {
            // The pool is started, and has its first connection for the schema's check.
        } catch (SQLException | RuntimeException e) {
            throw unreachable(pool.getJdbcUrl(), e);
        }
        migrate(kit, pool.getJdbcUrl());
    }

    /**
     * As a server's stop begins: its embedded database, if it started one, is lent to no new process (see
     * {@link EmbeddedDatabase#stopSharing}), since it stops once the server has.
     */
    void stopSharingDatabase() {
        EmbeddedDatabase database = embedded;
        if (database != null) {
            database.stopSharing();
        }
    }

    /**
     * Waits until the database is open (see {@link #opening}); throws what opening it threw, as a
     * {@link HiringException} where it was one.
     */
    void awaitOpen() {
        try {
            opened.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static HiringRuntime start(DatabaseOptions options, S3Client s3, ArchiveStore archive) {
        Duration maxReplicaLag = maxReplicaLag(options);
        EmbeddedDatabase embedded = null;
        HikariConfig config = new HikariConfig();
        configure(config, options, COMMAND_CONNECT_TIMEOUT, COMMAND_MINIMUM_IDLE);
        if (!hasDbUrl(options)) {
            // The server a running 'hiring serve' shares in the data directory, else one started here.
            embedded = EmbeddedDatabase.open(options.dataDir, false);
            config.setJdbcUrl(embedded.jdbcUrl());
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            closeQuietly(embedded);
            throw unreachable(config.getJdbcUrl(), e);
        }
        HikariDataSource readPool;
        try {
            readPool = readPool(options, COMMAND_CONNECT_TIMEOUT, COMMAND_MINIMUM_IDLE);
        } catch (RuntimeException e) {
            pool.close();
            closeQuietly(embedded);
            throw e;
        }
        HiringKit kit = kit(options, pool, readPool, s3, archive, HiringKit.DEFAULT_IDEMPOTENCY_RETENTION,
                maxReplicaLag);
        try {
            migrate(kit, config.getJdbcUrl());
        } catch (RuntimeException e) {
            pool.close();
            if (readPool != null) {
                readPool.close();
            }
            closeQuietly(embedded);
            throw e;
        }
        HiringRuntime runtime = new HiringRuntime(embedded, pool, readPool, s3, kit, isPooled(options));
        runtime.opened.complete(null);
        return runtime;
    }

    private static boolean hasDbUrl(DatabaseOptions options) {
        return options.dbUrl != null && !options.dbUrl.isBlank();
    }

    /** Whether --db-url goes through a transaction pooler (an embedded database never does). */
    private static boolean isPooled(DatabaseOptions options) {
        return hasDbUrl(options) && options.transactionPooler();
    }

    /** The pool's settings, the URL of --db-url included; an embedded database's URL comes when it runs. */
    private static void configure(HikariConfig config, DatabaseOptions options, Duration connectTimeout,
            int minimumIdle) {
        config.setPoolName("hiring");
        config.setMaximumPoolSize(MAXIMUM_POOL_SIZE);
        config.setMinimumIdle(minimumIdle);
        config.setConnectionTimeout(connectTimeout.toMillis());
        if (hasDbUrl(options)) {
            config.setJdbcUrl(options.dbUrl);
            signIn(config, env("HIRING_DB_USER"), env("HIRING_DB_PASSWORD"));
            if (options.transactionPooler()) {
                // A named server-side prepared statement lives in one server session, which a transaction
                // pooler hands to other clients between transactions: statements stay unnamed.
                config.addDataSourceProperty("prepareThreshold", "0");
            }
        }
    }

    private static HiringKit kit(DatabaseOptions options, HikariDataSource pool, HikariDataSource readPool,
            S3Client s3, ArchiveStore archive, Duration idempotencyRetention, Duration maxReplicaLag) {
        HiringKit.Builder builder = HiringKit.builder().dataSource(pool).archive(archive)
                .idempotencyRetention(idempotencyRetention);
        if (readPool != null) {
            builder.readDataSource(readPool).maxReplicaLag(maxReplicaLag);
        }
        if (s3 != null) {
            builder.sourceReader(S3Archive.sourceReader(s3));
        }
        return builder.build();
    }

    /** Checks the schema (and migrates it when something is missing). */
    private static void migrate(HiringKit kit, String jdbcUrl) {
        try {
            kit.migrate();
        } catch (RuntimeException e) {
            if (DatabaseFailures.unavailable(e)) {
                throw new HiringException(Code.DATABASE_UNAVAILABLE, "Could not check the schema of "
                        + DatabaseFailures.withoutQuery(jdbcUrl) + ": the database is unavailable ("
                        + DatabaseFailures.rootMessage(e) + ")", e);
            }
            throw e;
        }
    }

    private static HiringException unreachable(String jdbcUrl, Exception e) {
        return new HiringException(Code.DATABASE_UNAVAILABLE, "Could not connect to "
                + DatabaseFailures.withoutQuery(jdbcUrl) + ": " + DatabaseFailures.rootMessage(e), e);
    }

    /**
     * The read replica's pool (--db-read-url), read-only, or null without one. It starts even when the
     * replica is down (reads then use the primary), and waits at most 2 seconds for a connection (less
     * when the primary's pool waits less): a replica that stops costs one such wait before reads move to
     * the primary, and a replica whose pool is exhausted sends the overflow there too.
     */
    private static HikariDataSource readPool(DatabaseOptions options, Duration connectTimeout, int minimumIdle) {
        if (options.dbReadUrl == null || options.dbReadUrl.isBlank()) {
            return null;
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("hiring-read");
        config.setMaximumPoolSize(MAXIMUM_POOL_SIZE);
        config.setMinimumIdle(minimumIdle);
        config.setConnectionTimeout(Math.min(connectTimeout.toMillis(), READ_CONNECT_TIMEOUT.toMillis()));
        config.setInitializationFailTimeout(-1);
        config.setReadOnly(true);
        config.setJdbcUrl(options.dbReadUrl);
        if (options.transactionPooler()) {
            // A replica behind its own transaction pooler: the same driver setting as the primary's.
            config.addDataSourceProperty("prepareThreshold", "0");
        }
        signIn(config, env("HIRING_DB_READ_USER", "HIRING_DB_USER"), env("HIRING_DB_READ_PASSWORD", "HIRING_DB_PASSWORD"));
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new HiringException(Code.INVALID_ARGUMENT, "Could not use --db-read-url "
                    + DatabaseFailures.withoutQuery(options.dbReadUrl) + ": " + DatabaseFailures.rootMessage(e), e);
        }
    }

    private static Duration maxReplicaLag(DatabaseOptions options) {
        if (!(options.maxReplicaLagSeconds >= 0) || Double.isInfinite(options.maxReplicaLagSeconds)) {
            throw new HiringException(Code.INVALID_ARGUMENT, "--max-replica-lag is a number of seconds, 0 or more, not "
                    + java.math.BigDecimal.valueOf(options.maxReplicaLagSeconds).stripTrailingZeros().toPlainString());
        }
        return Duration.ofMillis(Math.round(options.maxReplicaLagSeconds * 1000));
    }

    /**
     * Who a load from the command line is recorded as made by: {@code cli:} and the operating system's
     * user name, beside the server's {@code user:}, {@code client:} and {@code oidc:}.
     */
    static String madeBy() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }

    /** The value of the first of these environment variables that is set; null when none is. */
    private static String env(String... names) {
        for (String name : names) {
            String value = System.getenv(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** The pool signs in as {@code user} with {@code password}, each where given (else the URL's or none). */
    private static void signIn(HikariConfig config, String user, String password) {
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
    }

    /**
     * How the server hears of changed accounts: LISTEN on its pool, unless that goes through a
     * transaction pooler; then LISTEN on {@code listenUrl} (a direct connection to the same database),
     * or poll when there is none.
     */
    AccountChanges accountChanges(String listenUrl) {
        if (listenUrl != null && !listenUrl.isBlank()) {
            PGSimpleDataSource direct = new PGSimpleDataSource();
            direct.setURL(listenUrl);
            String user = env("HIRING_DB_USER");
            if (user != null && !listenUrl.contains("user=")) {
                direct.setUser(user);
            }
            String password = env("HIRING_DB_PASSWORD");
            if (password != null && !listenUrl.contains("password=")) {
                direct.setPassword(password);
            }
            return AccountChanges.listen(direct);
        }
        return embedded == null && transactionPooler ? AccountChanges.poll() : AccountChanges.listen();
    }

    HiringKit kit() {
        return kit;
    }

    DataSource dataSource() {
        return pool;
    }

    /** The read replica's pool (for its metrics), or null without --db-read-url. */
    HikariDataSource readPool() {
        return readPool;
    }

    /** The database as people can reach it, for messages. */
    String describeDatabase() {
        String primary = embedded != null ? "embedded PostgreSQL in " + embedded.dataDirectory() + " ("
                + embedded.jdbcUrl() + (embedded.isBorrowed() ? ", the running server's" : "") + ")"
                : DatabaseFailures.withoutQuery(pool.getJdbcUrl());
        return readPool == null ? primary : primary + "; reports and lookups from " + DatabaseFailures.withoutQuery(readPool.getJdbcUrl())
                + " while it is caught up";
    }

    /** Stops what it started; a database still opening is waited for first, so that none is left running. */
    @Override
    public void close() {
        opened.exceptionally(e -> null).join();
        pool.close();
        if (readPool != null) {
            readPool.close();
        }
        if (s3 != null) {
            s3.close();
        }
        closeQuietly(embedded);
    }

    private static void closeQuietly(EmbeddedDatabase embedded) {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (HiringException ignored) {
                // the server stops with the JVM anyway
            }
        }
    }
}
