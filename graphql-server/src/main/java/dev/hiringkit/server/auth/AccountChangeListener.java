package dev.hiringkit.server.auth;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the account caches of a server true to the database, in one of two ways ({@link AccountChanges}):
 * <ul>
 * <li>it listens on one session for the database's notices of changed users and clients (see the
 * server's migration V3), and makes the caches forget them: a password changed, a role changed or an
 * account removed through any server, the command line or plain SQL ends its tokens on every server
 * within milliseconds. Every 10 seconds it sends itself a notice through the server's pool and
 * expects it back, so that a session whose notices go nowhere (behind a transaction pooler) is
 * noticed: it then polls instead;</li>
 * <li>or it polls: every second (by default) it reads the versions of the accounts the caches remember
 * (every change to an account's row moves its version on; a removed one has none) and forgets those
 * that changed. This works through any pooler, at one small query per second per server.</li>
 * </ul>
 * While it can do neither, nothing is remembered: a request then looks its account up in the database,
 * as without a cache. So a change is never missed, only noticed later (at most two poll intervals).
 */
final class AccountChangeListener extends AbstractLifeCycle {

    static final String CHANNEL = "hiring_accounts";
    private static final Logger LOG = LoggerFactory.getLogger(AccountChangeListener.class);
    /** How long one wait for notices lasts: a stopped server's listener ends within it. */
    private static final int WAIT_MILLIS = 500;
    /** How long to wait before listening again after the connection failed. */
    private static final int RETRY_MILLIS = 5_000;
    /** How often the listener sends itself a notice, so that a dead or deaf session is noticed. */
    private static final long PROBE_EVERY_NANOS = 10_000_000_000L;
    /** How long a notice it sent itself may take to come back: far more than the milliseconds it takes. */
    private static final long PROBE_WAIT_NANOS = 5_000_000_000L;
    private static final String PROBE = "probe:";

    private final DataSource pool;
    private final AccountChanges how;
    private final AccountCache users;
    private final AccountCache clients;
    private volatile boolean running;

    AccountChangeListener(DataSource pool, AccountChanges how, AccountCache users, AccountCache clients) {
        this.pool = pool;
        this.how = how;
        this.users = users;
        this.clients = clients;
    }

    @Override
    protected void doStart() {
        running = true;
        Thread thread = new Thread(this::run, "hiring-account-changes");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops; the thread ends within a wait or a poll interval and gives its connection back. */
    @Override
    protected void doStop() {
        running = false;
    }

    private void run() {
        boolean listen = how.listens();
        while (running) {
            try {
                if (listen) {
                    listen = listen();
                    if (!listen) {
                        LOG.warn("Notices of changed users and clients do not arrive through {} (a transaction pooler"
                                + " in between?): reading their versions every {} ms instead. Give the server a direct"
                                + " connection for them (--db-listen-url).", how.listenOn().isPresent()
                                        ? "the listen connection" : "the database connection",
                                how.pollInterval().toMillis());
                    }
                } else {
                    poll();
                }
            } catch (SQLException e) {
                if (running) {
                    LOG.warn("Not following changes of users and clients ({}); they are looked up on every request"
                            + " until it works again", e.getMessage());
                    pause(RETRY_MILLIS);
                }
            } finally {
                users.trust(false);
                clients.trust(false);
            }
        }
    }

    /**
     * Listens until stopped (true), or until the first notice it sent itself did not come back (false:
     * the session hears nothing, and polling must replace it). A later notice that does not come back
     * means a dead session: it fails, to listen again on another.
     */
    private boolean listen() throws SQLException {
        DataSource source = how.listenOn().orElse(pool);
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute("LISTEN " + CHANNEL);
            PGConnection notices = connection.unwrap(PGConnection.class);
            String probe = probe();
            long probeSent = System.nanoTime();
            boolean trusted = false;
            while (running) {
                PGNotification[] changes = notices.getNotifications(WAIT_MILLIS);
                for (PGNotification change : changes == null ? new PGNotification[0] : changes) {
                    if (change.getParameter().equals(probe)) {
                        probe = null;
                        if (!trusted) {
                            // Only now: what a cache remembers is right while every notice arrives.
                            users.trust(true);
                            clients.trust(true);
                            trusted = true;
                        }
                    } else if (!change.getParameter().startsWith(PROBE)) {
                        forget(change.getParameter());
                    }
                }
                long sinceProbe = System.nanoTime() - probeSent;
                if (probe != null && sinceProbe > PROBE_WAIT_NANOS) {
                    if (trusted) {
                        // It heard before: the session died quietly (a dropped network). Listen again.
                        throw new SQLException("a notice sent " + PROBE_WAIT_NANOS / 1_000_000_000 + " s ago did not"
                                + " come back");
                    }
                    statement.execute("UNLISTEN *");
                    return false;
                }
                if (probe == null && sinceProbe > PROBE_EVERY_NANOS) {
                    probe = probe();
                    probeSent = System.nanoTime();
                }
            }
            statement.execute("UNLISTEN *");
            return true;
        }
    }

    /** Sends a notice through the pool (another session than the listener's); returns its payload. */
    private String probe() throws SQLException {
        String payload = PROBE + UUID.randomUUID();
        try (Connection connection = pool.getConnection();
                PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            connection.setAutoCommit(true);
            notify.setString(1, CHANNEL);
            notify.setString(2, payload);
            notify.execute();
        }
        return payload;
    }

    /** Reads the versions of the remembered accounts every interval, until stopped. */
    private void poll() throws SQLException {
        users.trust(true);
        clients.trust(true);
        while (running) {
            try (Connection connection = pool.getConnection()) {
                connection.setAutoCommit(true);
                check(connection, "users", users);
                check(connection, "clients", clients);
            }
            pause(how.pollInterval().toMillis());
        }
    }

    /** Forgets each remembered account of {@code table} whose version is no longer the stored one. */
    private static void check(Connection connection, String table, AccountCache cache) throws SQLException {
        Map<UUID, Integer> remembered = cache.versions();
        if (remembered.isEmpty()) {
            return;
        }
        Map<UUID, Integer> stored = new HashMap<>();
        Array ids = connection.createArrayOf("uuid", remembered.keySet().toArray());
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, version FROM " + table + " WHERE id = ANY (?)")) {
            select.setArray(1, ids);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getObject(1, UUID.class), rs.getInt(2));
                }
            }
        } finally {
            ids.free();
        }
        remembered.forEach((id, version) -> {
            if (!version.equals(stored.get(id))) {
                cache.forget(id);
            }
        });
    }

    /** {@code users:<id>} or {@code clients:<id>}; anything else (the empty payload of a TRUNCATE): forget all. */
    private void forget(String payload) {
        int colon = payload.indexOf(':');
        String table = colon < 0 ? "" : payload.substring(0, colon);
        AccountCache cache = table.equals("users") ? users : table.equals("clients") ? clients : null;
        UUID id = null;
        try {
            id = colon < 0 ? null : UUID.fromString(payload.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            // not one of ours: forget everything below, to be safe
        }
        if (cache != null && id != null) {
            cache.forget(id);
        } else {
            users.forgetAll();
            clients.forgetAll();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
