package dev.hiringkit.internal.db;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Tells a database that went away (not reachable, restarted, connection lost) from a database that
 * refused a statement, so that callers get {@link Code#DATABASE_UNAVAILABLE}, worth trying again once
 * the database is back, rather than a raw driver message under {@link Code#DATABASE_ERROR}. Internal to
 * HiringKit, not part of its API.
 */
public final class DatabaseFailures {

    /**
     * SQLState class 08 is a connection exception; 57P01..57P03 are the server shutting down (fast or
     * immediate stop, crash recovery) or not accepting connections yet; 53300, no connection slot left.
     */
    private static final Set<String> SERVER_GONE = Set.of("57P01", "57P02", "57P03", "53300");
    /** Character not in repertoire (22021, which includes U+0000 in UTF-8), untranslatable character (22P05). */
    private static final Set<String> UNSTORABLE_TEXT = Set.of("22021", "22P05");
    /** Causes followed at most: enough for any real wrapping, and no loop on a cyclic chain. */
    private static final int MAX_DEPTH = 32;

    private DatabaseFailures() {
    }

    /**
     * Whether {@code e}, or an exception that caused it, says that the connection to PostgreSQL could
     * not be made or was lost: SQLState class 08, 57P01 to 57P03, or a pool that timed out waiting
     * for a connection ({@link SQLTransientConnectionException}).
     */
    public static boolean isUnavailable(Throwable e) {
        return connectionFailure(e) != null;
    }

    /** Whether PostgreSQL refused text it cannot store, such as U+0000: the input's fault, not the server's. */
    public static boolean isUnstorableText(Throwable e) {
        return hasSqlState(e, UNSTORABLE_TEXT::contains);
    }

    /** Whether {@code e}, or an exception that caused it, is an SQLException whose SQLState passes {@code state}. */
    public static boolean hasSqlState(Throwable e, Predicate<String> state) {
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < MAX_DEPTH; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && state.test(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The failure of {@code what} ("The backup 2021... failed", say) as a HiringException:
     * DATABASE_UNAVAILABLE when the database went away, else DATABASE_ERROR, with the driver's message.
     */
    public static HiringException translate(String what, SQLException e) {
        return translate(what, what, null, e);
    }

    /**
     * As {@link #translate(String, SQLException)}, for work its caller can run again: when the database
     * went away, {@code stopped} names the failure and {@code advice} (null: none) says what running it
     * again does; else {@code failed} names it.
     */
    public static HiringException translate(String failed, String stopped, String advice, SQLException e) {
        Throwable gone = connectionFailure(e);
        if (gone != null) {
            return new HiringException(Code.DATABASE_UNAVAILABLE, stopped + ": the database is unavailable ("
                    + gone.getMessage() + ")" + (advice == null ? "" : ". " + advice), e);
        }
        return new HiringException(Code.DATABASE_ERROR, failed + ": " + e.getMessage(), e);
    }

    /**
     * The exception among {@code e} and its causes that says the connection failed, preferring the
     * server's or the socket's word over a pool's later "Connection is closed" (08003); null if none.
     */
    private static Throwable connectionFailure(Throwable e) {
        Throwable closed = null;
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < MAX_DEPTH; t = t.getCause()) {
            boolean failed = t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLException s && (isConnectionState(s.getSQLState()) || isPoolsClosedConnection(s));
            if (failed && !(t instanceof SQLException s && "08003".equals(s.getSQLState()))) {
                return t;
            }
            if (failed && closed == null) {
                closed = t;
            }
        }
        return closed;
    }

    /**
     * HikariCP's stand-in for a connection it closed when the server dropped it: its methods throw
     * "Connection is closed" with no SQLState (Flyway met it asking for metadata after a stop).
     */
    private static boolean isPoolsClosedConnection(SQLException e) {
        return e.getSQLState() == null && "Connection is closed".equals(e.getMessage());
    }

    private static boolean isConnectionState(String state) {
        return state != null && (state.startsWith("08") || SERVER_GONE.contains(state));
    }

    /** A JDBC URL without its parameters, which may hold a password: for messages. */
    public static String withoutQuery(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    /** The message of the innermost cause that has one (a closed socket's has none), for logs and errors. */
    public static String rootMessage(Throwable e) {
        String message = null;
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_DEPTH; t = t.getCause(), depth++) {
            message = t.getMessage() != null ? t.getMessage() : message;
        }
        return message != null ? message : "no reason given";
    }
}
