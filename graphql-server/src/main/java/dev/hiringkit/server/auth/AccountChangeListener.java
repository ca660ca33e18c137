package dev.hiringkit.server.auth;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on one connection for the database's notices of changed users and clients (see the server's
 * migration V3) and makes their caches forget them: a password changed, a role changed or an account
 * removed through any server, the command line or plain SQL ends its tokens on every server within
 * milliseconds. While it is not listening, nothing is remembered: a request then looks its account up
 * in the database, as without a cache.
 */
final class AccountChangeListener extends AbstractLifeCycle {

    static final String CHANNEL = "hiring_accounts";
    private static final Logger LOG = LoggerFactory.getLogger(AccountChangeListener.class);
    /** How long one wait for notices lasts: a stopped server's listener ends within it. */
    private static final int WAIT_MILLIS = 500;
    /** How long to wait before listening again after the connection failed. */
    private static final int RETRY_MILLIS = 5_000;
    /** How often a quiet connection is checked, so that a dead one is noticed. */
    private static final long CHECK_NANOS = 10_000_000_000L;

    private final DataSource dataSource;
    private final AccountCache users;
    private final AccountCache clients;
    private volatile boolean running;

    AccountChangeListener(DataSource dataSource, AccountCache users, AccountCache clients) {
        this.dataSource = dataSource;
        this.users = users;
        this.clients = clients;
    }

    @Override
    protected void doStart() {
        running = true;
        Thread thread = new Thread(this::listen, "hiring-account-changes");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops listening; the thread ends within {@link #WAIT_MILLIS} and gives its connection back. */
    @Override
    protected void doStop() {
        running = false;
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + CHANNEL);
                PGConnection notices = connection.unwrap(PGConnection.class);
                users.trust(true);
                clients.trust(true);
                long checked = System.nanoTime();
                while (running) {
                    PGNotification[] changes = notices.getNotifications(WAIT_MILLIS);
                    for (PGNotification change : changes == null ? new PGNotification[0] : changes) {
                        forget(change.getParameter());
                    }
                    if (System.nanoTime() - checked > CHECK_NANOS) {
                        statement.execute("SELECT 1");
                        checked = System.nanoTime();
                    }
                }
                statement.execute("UNLISTEN *");
            } catch (SQLException e) {
                if (running) {
                    LOG.warn("Not listening for changes of users and clients ({}); they are looked up on every request"
                            + " until it works again", e.getMessage());
                    pause();
                }
            } finally {
                users.trust(false);
                clients.trust(false);
            }
        }
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

    private void pause() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
