package dev.hiringkit.server.auth;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on one connection for the database's notices of changed users (see the server's
 * migration V2) and makes {@link Users} forget them. While it is not listening, {@link Users}
 * remembers no one: a request then looks its user up in the database, as without a cache.
 */
final class UserChangeListener extends AbstractLifeCycle {

    static final String CHANNEL = "hiring_users";
    private static final Logger LOG = LoggerFactory.getLogger(UserChangeListener.class);
    /** How long one wait for notices lasts: a stopped server's listener ends within it. */
    private static final int WAIT_MILLIS = 500;
    /** How long to wait before listening again after the connection failed. */
    private static final int RETRY_MILLIS = 5_000;
    /** How often a quiet connection is checked, so that a dead one is noticed. */
    private static final long CHECK_NANOS = 10_000_000_000L;

    private final DataSource dataSource;
    private final Users users;
    private volatile boolean running;

    UserChangeListener(DataSource dataSource, Users users) {
        this.dataSource = dataSource;
        this.users = users;
    }

    @Override
    protected void doStart() {
        running = true;
        Thread thread = new Thread(this::listen, "hiring-user-changes");
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
                users.trustCache(true);
                long checked = System.nanoTime();
                while (running) {
                    PGNotification[] changes = notices.getNotifications(WAIT_MILLIS);
                    for (PGNotification change : changes == null ? new PGNotification[0] : changes) {
                        users.forget(change.getParameter());
                    }
                    if (System.nanoTime() - checked > CHECK_NANOS) {
                        statement.execute("SELECT 1");
                        checked = System.nanoTime();
                    }
                }
                statement.execute("UNLISTEN *");
            } catch (SQLException e) {
                if (running) {
                    LOG.warn("Not listening for user changes ({}); users are looked up on every request until"
                            + " it works again", e.getMessage());
                    pause();
                }
            } finally {
                users.trustCache(false);
            }
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
