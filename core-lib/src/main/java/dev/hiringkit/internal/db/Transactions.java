package dev.hiringkit.internal.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The commit-or-roll-back idiom, written once. Internal to HiringKit, not part of its API.
 */
public final class Transactions {

    /** Work done in a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs {@code work} in one transaction on {@code connection} and commits it; on any failure rolls it
     * back and rethrows. The connection's auto-commit is put back as it was.
     */
    public static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        T result;
        try {
            result = work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(connection, e);
            try {
                connection.setAutoCommit(autoCommit);
            } catch (SQLException reset) {
                e.addSuppressed(reset); // a lost connection fails this too: the first failure tells why
            }
            throw e;
        }
        connection.setAutoCommit(autoCommit);
        return result;
    }

    /**
     * Rolls back; a failure to (a connection the database dropped cannot roll back) is attached to the
     * error that caused it, which is the one that tells why.
     */
    public static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
