package dev.hiringkit.internal.db;

import static dev.hiringkit.internal.jooq.Tables.TABLE_LEASES;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.Table;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to load or restore one table, across every process using the database: a row of
 * {@code table_leases} (migration V4) with an expiry, never session state, so that it holds through a
 * transaction pooler such as PgBouncer in transaction mode. A load {@link #acquire acquires} a lease,
 * which a background task renews every {@link #RENEW_EVERY} while the load runs, and which each chunk
 * {@link #confirm confirms} in its own transaction (so a chunk never commits once another load holds the
 * table); a process that dies leaves a lease that expires after {@link #DURATION}. A restore takes the
 * rows {@link #takeInTransaction in its transaction}, where they stay locked until it ends. Internal to
 * HiringKit, not part of its API.
 */
public final class TableLease implements AutoCloseable {

    /**
     * The system property (an ISO-8601 duration such as {@code PT3S}) that shortens {@link #DURATION} for
     * tests that kill a load and must then wait for its lease; nothing else should set it.
     */
    public static final String DURATION_PROPERTY = "hiringkit.tableLease.duration";
    /** The system property that sets {@link #RENEW_EVERY}, beside {@link #DURATION_PROPERTY}. */
    public static final String RENEW_EVERY_PROPERTY = "hiringkit.tableLease.renewEvery";

    /**
     * How long a lease lasts unless renewed: how long a load resumed after a crash may wait for the dead
     * process's lease. Four renewals long, so that a renewal delayed by a busy pool or a long pause of
     * the JVM does not lose it. 20 s unless the system property {@value #DURATION_PROPERTY} says otherwise.
     */
    public static final Duration DURATION = setting(DURATION_PROPERTY, Duration.ofSeconds(20));
    /**
     * How often a running load renews its lease: well within the 10 s another load waits for it. 5 s
     * unless the system property {@value #RENEW_EVERY_PROPERTY} says otherwise.
     */
    public static final Duration RENEW_EVERY = setting(RENEW_EVERY_PROPERTY, Duration.ofSeconds(5));
    /** How long one attempt waits for a lease row that a restore or another attempt holds locked. */
    private static final String ROW_WAIT = "1s";
    private static final long POLL_MILLIS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(TableLease.class);
    /**
     * How long {@link #close} waits for the lease to be given back before it lets the caller go on and
     * keeps trying in the background: giving it back takes a few milliseconds, but on a database that
     * stopped answering the pool waits its whole connection timeout (HikariCP: 30 s), which a failed
     * load must not add to its report.
     */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(2);

    private static final ScheduledExecutorService RENEWALS = Executors.newSingleThreadScheduledExecutor(
            daemon("hiring-table-leases"));
    /** Apart from the renewals, so that giving a lease back never queues behind a renewal stuck on the pool. */
    private static final ExecutorService RELEASES = Executors.newCachedThreadPool(daemon("hiring-table-lease-release"));

    // The lease statements stay SQL: ON CONFLICT ... WHERE with interval arithmetic on the database's clock,
    // which jOOQ writes only through plain-SQL templates; RENEW runs with every chunk of a load.
    private static final String TAKE = "INSERT INTO table_leases AS l (table_name, holder, expires_at)"
            + " VALUES (?, ?, now() + make_interval(secs => ?))"
            + " ON CONFLICT (table_name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at"
            + " WHERE l.expires_at < now()"
            + " RETURNING holder";
    private static final String RENEW = "UPDATE table_leases SET expires_at = now() + make_interval(secs => ?)"
            + " WHERE table_name = ? AND holder = ?";

    private final DataSource dataSource;
    private final Table table;
    private final UUID holder;
    private final ScheduledFuture<?> renewal;

    private TableLease(DataSource dataSource, Table table, UUID holder) {
        this.dataSource = dataSource;
        this.table = table;
        this.holder = holder;
        this.renewal = RENEWALS.scheduleWithFixedDelay(this::renewQuietly, RENEW_EVERY.toMillis(),
                RENEW_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lease of {@code table}, waiting up to {@code patience} for a holder that is alive (seen
     * renewing while this waits); a lease that nobody renews meanwhile is a dead process's, and this
     * waits until it expires (at most {@link #DURATION}).
     *
     * @throws HiringException {@code LOAD_IN_PROGRESS} when another load or a restore keeps the table
     */
    public static TableLease acquire(DataSource dataSource, Table table, Duration patience) throws SQLException {
        UUID holder = UUID.randomUUID();
        Instant start = Instant.now();
        Instant giveUp = start.plus(patience);
        Instant last = giveUp.plus(DURATION);
        Timestamp firstSeen = null;
        boolean holderAlive = false;
        try (Connection connection = dataSource.getConnection()) {
            while (true) {
                Observation seen = tryTake(connection, table, holder);
                if (seen.taken()) {
                    return new TableLease(dataSource, table, holder);
                }
                if (seen.restoring() || firstSeen != null && !firstSeen.equals(seen.expiresAt())) {
                    holderAlive = true;
                }
                if (firstSeen == null) {
                    firstSeen = seen.expiresAt();
                }
                Instant now = Instant.now();
                if (holderAlive && now.isAfter(giveUp) || now.isAfter(last)) {
                    throw new HiringException(Code.LOAD_IN_PROGRESS,
                            "Another load into " + table.sqlName() + " is running; try again when it ends.");
                }
                sleep();
            }
        }
    }

    /** What one attempt saw: the lease taken, or its holder's expiry, or a restore holding the row. */
    private record Observation(boolean taken, Timestamp expiresAt, boolean restoring) {
    }

    private static Observation tryTake(Connection connection, Table table, UUID holder) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL lock_timeout = '" + ROW_WAIT + "'"); // a setting: jOOQ has no SET LOCAL
            try (PreparedStatement take = connection.prepareStatement(TAKE)) {
                take.setString(1, table.sqlName());
                take.setObject(2, holder);
                take.setDouble(3, seconds(DURATION));
                try (ResultSet rs = take.executeQuery()) {
                    if (rs.next()) {
                        connection.commit();
                        return new Observation(true, null, false);
                    }
                }
            }
            Timestamp expiresAt = Jooq.on(connection, sql -> sql.select(TABLE_LEASES.EXPIRES_AT).from(TABLE_LEASES)
                    .where(TABLE_LEASES.TABLE_NAME.eq(table.sqlName())).fetchOptional(TABLE_LEASES.EXPIRES_AT)
                    .map(t -> Timestamp.from(t.toInstant())).orElse(null));
            connection.commit();
            return new Observation(false, expiresAt, false);
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
                throw e; // the connection is gone: the first failure says why
            }
            if ("55P03".equals(e.getSQLState())) {
                return new Observation(false, null, true);
            }
            throw e;
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a lost connection: the pool drops it
            }
        }
    }

    /**
     * Renews the lease in the caller's transaction, which therefore commits only while this load holds
     * the table.
     *
     * @throws HiringException {@code LOAD_IN_PROGRESS} when the lease expired and another load took it
     */
    public void confirm(Connection connection) throws SQLException {
        if (renew(connection) == 0) {
            throw new HiringException(Code.LOAD_IN_PROGRESS, "Another load into " + table.sqlName() + " took over"
                    + " while this one was stalled for more than " + DURATION.toSeconds() + " s; this chunk was"
                    + " rolled back. Try again when that load ends: it resumes after the last committed chunk.");
        }
    }

    private int renew(Connection connection) throws SQLException {
        try (PreparedStatement renew = connection.prepareStatement(RENEW)) {
            renew.setDouble(1, seconds(DURATION));
            renew.setString(2, table.sqlName());
            renew.setObject(3, holder);
            return renew.executeUpdate();
        }
    }

    private void renewQuietly() {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            if (renew(connection) == 0) {
                LOG.warn("The lease of {} was lost: another load took it after this one stalled", table.sqlName());
            }
        } catch (SQLException | RuntimeException e) {
            // The next renewal tries again; the lease lasts four renewals.
            LOG.warn("Could not renew the lease of {}: {}", table.sqlName(), e.getMessage());
        }
    }

    /**
     * Stops renewing and gives the table back, waiting at most {@link #RELEASE_WAIT} for it. When the
     * database does not answer (a restart, say), the giving back goes on in the background, once a second
     * until the lease would have expired, so that a load resumed once it is back need not wait for the
     * expiry; a lease never given back expires by itself.
     */
    @Override
    public void close() {
        renewal.cancel(false);
        Instant until = Instant.now().plus(DURATION);
        Future<Boolean> released = RELEASES.submit(() -> {
            boolean done = release();
            if (!done) {
                retryRelease(until);
            }
            return done;
        });
        try {
            released.get(RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.debug("Giving back the lease of {} goes on in the background", table.sqlName());
        } catch (ExecutionException e) {
            LOG.debug("Could not give back the lease of {}: {}", table.sqlName(), e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean release() {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            Jooq.on(connection, sql -> sql.deleteFrom(TABLE_LEASES)
                    .where(TABLE_LEASES.TABLE_NAME.eq(table.sqlName()), TABLE_LEASES.HOLDER.eq(holder)).execute());
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Could not give back the lease of {} yet: {}", table.sqlName(), e.getMessage());
            return false;
        }
    }

    private void retryRelease(Instant until) {
        if (Instant.now().isBefore(until)) {
            RENEWALS.schedule(() -> RELEASES.execute(() -> {
                if (!release()) {
                    retryRelease(until);
                }
            }), 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Takes the leases of {@code tables}, in order, in the caller's transaction, without waiting for a
     * running load: the rows stay locked, so no load starts, until the transaction ends; they are
     * written already expired, so nothing is left to give back.
     *
     * @throws HiringException {@code LOAD_IN_PROGRESS} when a load or another restore keeps one of them
     */
    public static void takeInTransaction(Connection connection, List<Table> tables) throws SQLException {
        Objects.requireNonNull(tables);
        UUID holder = UUID.randomUUID();
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL lock_timeout = '" + ROW_WAIT + "'"); // a setting: jOOQ has no SET LOCAL
            for (Table table : tables) {
                boolean taken;
                try (PreparedStatement take = connection.prepareStatement(TAKE)) {
                    take.setString(1, table.sqlName());
                    take.setObject(2, holder);
                    take.setDouble(3, 0);
                    try (ResultSet rs = take.executeQuery()) {
                        taken = rs.next();
                    }
                } catch (SQLException e) {
                    if (!"55P03".equals(e.getSQLState())) {
                        throw e;
                    }
                    taken = false; // the caller rolls its transaction back
                }
                if (!taken) {
                    throw new HiringException(Code.LOAD_IN_PROGRESS, "A load or restore of " + table.sqlName()
                            + " is running: restore when it has finished");
                }
            }
            statement.execute("SET LOCAL lock_timeout TO DEFAULT");
        }
    }

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private static Duration setting(String property, Duration otherwise) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        Duration duration = Duration.parse(value.trim());
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(property + " must be a positive duration, not " + value);
        }
        return duration;
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HiringException(Code.LOAD_IN_PROGRESS, "Interrupted while waiting for another load to end");
        }
    }
}
