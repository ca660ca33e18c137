package dev.hiringkit.server.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Sorts database failures by what a client should hear, from the SQLSTATE codes among an exception's
 * causes (whoever wrapped them: the library's HiringException, jOOQ, the server's own lookups): a
 * database that cannot be reached now (try again later), text PostgreSQL cannot store (the request's
 * fault), and everything else (the server's, logged). The database's own message is never for clients.
 */
public final class DatabaseFailures {

    /** The code of every answer given because the database cannot be reached. */
    public static final String UNAVAILABLE = "DATABASE_UNAVAILABLE";
    public static final String UNAVAILABLE_MESSAGE = "The database cannot be reached right now; try again in a few seconds.";
    /** The message for text the database cannot store; the code is the caller's (BAD_REQUEST, invalid_request). */
    public static final String UNSTORABLE_TEXT_MESSAGE = "The request holds text the database cannot store, such as the"
            + " character U+0000.";

    /**
     * SQLSTATEs of a database that is not there for us right now, beyond class 08 (connection exception):
     * shutting down (57P01 admin, 57P02 crash), starting up (57P03), no connection slot left (53300).
     */
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");
    /** Character not in repertoire (22021, which includes U+0000 in UTF-8), untranslatable character (22P05). */
    private static final Set<String> UNSTORABLE_TEXT_STATES = Set.of("22021", "22P05");
    /** Causes followed at most: enough for any real wrapping, and no loop on a cyclic chain. */
    private static final int MAX_DEPTH = 16;

    private DatabaseFailures() {
    }

    /**
     * True when the database could not be reached: no connection within the pool's wait (HikariCP's
     * {@link SQLTransientConnectionException}, also when every connection is busy), a connection that
     * broke, or a server shutting down or starting up.
     */
    public static boolean unavailable(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_DEPTH; t = t.getCause(), depth++) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || UNAVAILABLE_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** True when the database refused text it cannot store, such as U+0000: the request's fault, not the server's. */
    public static boolean unstorableText(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_DEPTH; t = t.getCause(), depth++) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && UNSTORABLE_TEXT_STATES.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** The message of the innermost cause that has one (a closed socket's has none), for the log. */
    public static String rootMessage(Throwable e) {
        String message = null;
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_DEPTH; t = t.getCause(), depth++) {
            message = t.getMessage() != null ? t.getMessage() : message;
        }
        return message;
    }
}
