package dev.hiringkit.server.auth;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * How a server hears that a user or client changed (a password, a role, a removal), so that it ends its
 * tokens at once: by PostgreSQL's {@code LISTEN} on a session of its own, or by reading the versions of
 * the accounts it remembers every so often. {@code LISTEN} needs a real session, which a transaction
 * pooler (PgBouncer in transaction mode) does not give: behind one, listen on a direct connection, or poll.
 */
public final class AccountChanges {

    /** How often {@link #poll()} reads the versions of the remembered accounts. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    private final boolean listens;
    private final DataSource listenOn;
    private final Duration pollInterval;

    private AccountChanges(boolean listens, DataSource listenOn, Duration pollInterval) {
        this.listens = listens;
        this.listenOn = listenOn;
        this.pollInterval = pollInterval;
    }

    /**
     * LISTEN on a connection of the server's own pool, which must reach PostgreSQL directly (or through a
     * pooler in session mode). The listener checks that notices arrive (it sends itself one every
     * 10 seconds); where they do not, it falls back to polling and says so in the log.
     */
    public static AccountChanges listen() {
        return new AccountChanges(true, null, DEFAULT_POLL_INTERVAL);
    }

    /** LISTEN on a connection of {@code direct}: the same database, reached without a transaction pooler. */
    public static AccountChanges listen(DataSource direct) {
        return new AccountChanges(true, Objects.requireNonNull(direct, "direct"), DEFAULT_POLL_INTERVAL);
    }

    /** No LISTEN: read the versions of the remembered accounts every {@code interval}, through any pool. */
    public static AccountChanges poll(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive: " + interval);
        }
        return new AccountChanges(false, null, interval);
    }

    /** Polling every {@link #DEFAULT_POLL_INTERVAL}. */
    public static AccountChanges poll() {
        return poll(DEFAULT_POLL_INTERVAL);
    }

    /** Whether this listens (else it polls). */
    boolean listens() {
        return listens;
    }

    Optional<DataSource> listenOn() {
        return Optional.ofNullable(listenOn);
    }

    Duration pollInterval() {
        return pollInterval;
    }
}
