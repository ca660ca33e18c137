package dev.hiringkit.internal.db;

import dev.hiringkit.ReplicaStatus;
import dev.hiringkit.ReplicaStatus.ReadsFrom;
import dev.hiringkit.ReplicaStatus.Reason;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * The DataSource of reads that may be a little behind (reports, lookups): a connection to the read
 * replica while it is at most {@code maxLag} behind the primary, else one to the primary. Internal to
 * HiringKit, not part of its API.
 *
 * <p>Lag is measured against the primary, not from the standby alone: at most once a
 * {@link #MEASURE_EVERY} (in the background, when reads come; the first time before the first read) the
 * primary's WAL position is sampled, then
 * the standby's replay position is read. The standby holds everything the primary had committed at the
 * time of the newest sample its replay position has reached, so its lag is the time since that sample.
 * This is 0 while the primary is idle and the standby has replayed everything, and it grows while the
 * standby is paused, disconnected or slow, even when nothing arrives to tell the standby it is behind
 * (which {@code now() - pg_last_xact_replay_timestamp()} on the standby cannot see). Times are this
 * JVM's, so the two servers' clocks do not matter. Between measurements the lag is taken as the last one
 * plus the time since; a replica that fails to give a connection is left at once, and used again once a
 * measurement finds it back and caught up.
 */
public final class ReadRouting implements DataSource {

    /** How often the lag is measured at most: reads use the last measurement, they never wait for one. */
    static final Duration MEASURE_EVERY = Duration.ofSeconds(1);
    /** A measuring query that takes longer than this counts as a failure. */
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ReadRouting.class);

    /** The primary's WAL position at a moment (System.nanoTime). */
    private record Sample(long lsn, long at) {
    }

    /**
     * What the last measurement found: for CAUGHT_UP, the time of the newest sample the replica had
     * replayed; for TOO_FAR_BEHIND, of the oldest sample kept (the lag is more than the time since).
     */
    private record Measurement(Reason reason, long freshAt) {
    }

    private final DataSource primary;
    private final DataSource replica;
    private final Duration maxLag;
    /** At most one daemon thread, gone after a minute without reads. */
    private final ThreadPoolExecutor measurer;
    private final AtomicBoolean measuring = new AtomicBoolean();
    /** The primary's recent WAL positions, oldest first; guarded by itself. */
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private volatile long lastStarted = System.nanoTime() - MEASURE_EVERY.toNanos();
    private volatile Measurement last;
    private volatile boolean measuredOnce;
    private volatile ReadsFrom lastSide = ReadsFrom.PRIMARY;
    /** Whether the read running on this thread took a connection of the replica. */
    private final ThreadLocal<Boolean> usedReplica = new ThreadLocal<>();
    /** Set while this thread runs a read again on the primary, after the replica failed under it. */
    private final ThreadLocal<Boolean> onPrimary = new ThreadLocal<>();

    /** Reads from {@code replica} (null: none, everything reads from {@code primary}) while at most {@code maxLag} behind. */
    public ReadRouting(DataSource primary, DataSource replica, Duration maxLag) {
        this.primary = primary;
        this.replica = replica;
        this.maxLag = maxLag;
        // A queue, not a hand-off: a task submitted while the thread is between two tasks waits for it
        // instead of being refused. The measuring flag keeps it to one task at a time.
        this.measurer = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "hiring-replica-lag");
            thread.setDaemon(true);
            return thread;
        });
        this.measurer.allowCoreThreadTimeOut(true);
    }

    /** Where reads go now and why; starts a measurement when the last one is over a second old. */
    public ReplicaStatus status() {
        if (replica == null) {
            return new ReplicaStatus(ReadsFrom.PRIMARY, Reason.NO_REPLICA, Optional.empty(), maxLag);
        }
        if (!measuredOnce) {
            measureFirst();
        } else {
            measureSoon();
        }
        Measurement m = last;
        ReplicaStatus status;
        if (m == null) {
            status = new ReplicaStatus(ReadsFrom.PRIMARY, Reason.NOT_MEASURED, Optional.empty(), maxLag);
        } else if (m.reason() == Reason.CAUGHT_UP || m.reason() == Reason.TOO_FAR_BEHIND) {
            Duration lag = Duration.ofNanos(Math.max(0, System.nanoTime() - m.freshAt()));
            boolean usable = m.reason() == Reason.CAUGHT_UP && lag.compareTo(maxLag) <= 0;
            status = new ReplicaStatus(usable ? ReadsFrom.REPLICA : ReadsFrom.PRIMARY,
                    usable ? Reason.CAUGHT_UP : Reason.TOO_FAR_BEHIND, Optional.of(lag), maxLag);
        } else {
            status = new ReplicaStatus(ReadsFrom.PRIMARY, m.reason(), Optional.empty(), maxLag);
        }
        if (status.readsFrom() != lastSide) {
            lastSide = status.readsFrom();
            LOG.info("Reads now go to the {}: {}{} (max {})", status.readsFrom().name().toLowerCase(Locale.ROOT),
                    status.reason(), status.lag().map(l -> ", replica lag " + l).orElse(""), maxLag);
        }
        return status;
    }

    /**
     * Runs {@code read} on {@code reads}, and once more, on the primary, when {@code reads} is a
     * ReadRouting whose replica failed under it: the replica went away (stopped, restarted, its
     * connection lost; it is then left until a measurement finds it back) or cancelled the query for a
     * conflict with recovery (SQLState 40001, {@code max_standby_streaming_delay}). Reads change nothing,
     * so running one again is safe.
     */
    public static <T> T read(DataSource reads, Supplier<T> read) {
        return reads instanceof ReadRouting routing ? routing.read(read) : read.get();
    }

    private <T> T read(Supplier<T> read) {
        Boolean outer = usedReplica.get();
        usedReplica.set(Boolean.FALSE);
        try {
            return read.get();
        } catch (RuntimeException e) {
            if (!Boolean.TRUE.equals(usedReplica.get())) {
                throw e;
            }
            if (DatabaseFailures.isUnavailable(e)) {
                leaveReplica(e);
            } else if (!cancelledByRecovery(e)) {
                throw e;
            }
            onPrimary.set(Boolean.TRUE);
            try {
                return read.get();
            } finally {
                onPrimary.remove();
            }
        } finally {
            if (outer == null) {
                usedReplica.remove();
            } else {
                usedReplica.set(outer);
            }
        }
    }

    private static boolean cancelledByRecovery(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < 32; t = t.getCause()) {
            if (t instanceof SQLException s && "40001".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private void leaveReplica(Exception e) {
        last = new Measurement(Reason.UNREACHABLE, 0);
        Throwable root = e;
        for (int depth = 0; root.getCause() != null && depth < 32; depth++) {
            root = root.getCause();
        }
        LOG.warn("The read replica failed, reads go to the primary: {}", root.getMessage());
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (onPrimary.get() == null && status().readsFrom() == ReadsFrom.REPLICA) {
            try {
                Connection connection = replica.getConnection();
                if (usedReplica.get() != null) {
                    usedReplica.set(Boolean.TRUE);
                }
                return connection;
            } catch (SQLException e) {
                leaveReplica(e);
            }
        }
        return primary.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        if (onPrimary.get() == null && status().readsFrom() == ReadsFrom.REPLICA) {
            try {
                Connection connection = replica.getConnection(username, password);
                if (usedReplica.get() != null) {
                    usedReplica.set(Boolean.TRUE);
                }
                return connection;
            } catch (SQLException e) {
                leaveReplica(e);
            }
        }
        return primary.getConnection(username, password);
    }

    /**
     * The first measurement is made before the first read, which waits for it: a short-lived program
     * (a report from the command line) makes one read, and would otherwise always read from the primary.
     * With one sample only, a standby a few milliseconds behind a busy primary is behind every sample;
     * the standby is asked again for up to {@link #MEASURE_EVERY} until it has replayed that sample.
     */
    private synchronized void measureFirst() {
        if (measuredOnce) {
            return;
        }
        long started = System.nanoTime();
        lastStarted = started;
        try {
            Measurement m = measure(true);
            while (m == null && System.nanoTime() - started < MEASURE_EVERY.toNanos()) {
                Thread.sleep(20);
                m = measure(false);
            }
            last = m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            leaveReplica(e);
        } finally {
            measuredOnce = true;
        }
    }

    private void measureSoon() {
        long now = System.nanoTime();
        if (now - lastStarted < MEASURE_EVERY.toNanos() || !measuring.compareAndSet(false, true)) {
            return;
        }
        lastStarted = now;
        measurer.execute(() -> {
            try {
                last = measure(true);
            } catch (RuntimeException e) {
                leaveReplica(e);
            } finally {
                measuring.set(false);
            }
        });
    }

    /**
     * Samples the primary's WAL position (unless {@code samplePrimary} is false: the samples so far are
     * used), then compares the standby's replay position with the samples. Null when the standby is
     * behind every sample but the samples span less than {@code maxLag}: too early to tell.
     */
    private Measurement measure(boolean samplePrimary) {
        synchronized (samples) {
            if (samplePrimary) {
                long primaryLsn;
                try {
                    primaryLsn = lsn(query(primary, "SELECT pg_current_wal_lsn()::text")[0]);
                } catch (SQLException e) {
                    return new Measurement(Reason.PRIMARY_UNREACHABLE, 0);
                }
                long sampledAt = System.nanoTime();
                samples.addLast(new Sample(primaryLsn, sampledAt));
                // Older samples tell nothing more: a replica behind them is too far behind either way.
                long keep = maxLag.toNanos() + 3 * MEASURE_EVERY.toNanos();
                while (samples.size() > 1 && sampledAt - samples.peekFirst().at() > keep) {
                    samples.removeFirst();
                }
            }
            return compareStandby();
        }
    }

    private Measurement compareStandby() {
        String[] standby;
        try {
            standby = query(replica, "SELECT pg_is_in_recovery()::text, pg_last_wal_replay_lsn()::text");
        } catch (SQLException e) {
            return new Measurement(Reason.UNREACHABLE, 0);
        }
        if (!"true".equals(standby[0]) || standby[1] == null) {
            return new Measurement(Reason.NOT_A_STANDBY, 0);
        }
        long replayed = lsn(standby[1]);
        for (Iterator<Sample> newestFirst = samples.descendingIterator(); newestFirst.hasNext(); ) {
            Sample sample = newestFirst.next();
            if (sample.lsn() <= replayed) {
                return new Measurement(Reason.CAUGHT_UP, sample.at());
            }
        }
        long oldest = samples.peekFirst().at();
        // Behind every sample: more than (now - oldest) behind, which says nothing yet on a short history.
        return System.nanoTime() - oldest > maxLag.toNanos() ? new Measurement(Reason.TOO_FAR_BEHIND, oldest) : null;
    }

    /**
     * The first row of {@code sql} as text, on a connection of {@code dataSource}. The queries stay SQL:
     * calls of PostgreSQL's WAL functions, which jOOQ has no API for.
     */
    private static String[] query(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                String[] row = new String[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = rs.getString(i + 1);
                }
                return row;
            }
        }
    }

    /** A pg_lsn's text ({@code 16/B374D848}) as the 64-bit position it stands for. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return primary.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        primary.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        primary.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return primary.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return primary.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
