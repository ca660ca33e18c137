package dev.hiringkit.server.db;

import dev.hiringkit.HiringException;

/**
 * Sorts database failures by what a client should hear, whoever wrapped them (the library's
 * HiringException, jOOQ, the server's own lookups): a database that cannot be reached now (try again
 * later), text PostgreSQL cannot store (the request's fault), and everything else (the server's, logged).
 * The SQLSTATE rules are the library's ({@link dev.hiringkit.internal.db.DatabaseFailures}), so its
 * DATABASE_UNAVAILABLE and the server's answers agree. The database's own message is never for clients.
 */
public final class DatabaseFailures {

    /** The code of every answer given because the database cannot be reached. */
    public static final String UNAVAILABLE = HiringException.Code.DATABASE_UNAVAILABLE.name();
    public static final String UNAVAILABLE_MESSAGE = "The database cannot be reached right now; try again in a few seconds.";
    /** The message for text the database cannot store; the code is the caller's (BAD_REQUEST, invalid_request). */
    public static final String UNSTORABLE_TEXT_MESSAGE = "The request holds text the database cannot store, such as the"
            + " character U+0000.";

    private DatabaseFailures() {
    }

    /**
     * True when the database could not be reached: no connection within the pool's wait (also when every
     * connection is busy), a connection that broke, or a server shutting down or starting up.
     */
    public static boolean unavailable(Throwable e) {
        return dev.hiringkit.internal.db.DatabaseFailures.isUnavailable(e);
    }

    /** True when the database refused text it cannot store, such as U+0000: the request's fault, not the server's. */
    public static boolean unstorableText(Throwable e) {
        return dev.hiringkit.internal.db.DatabaseFailures.isUnstorableText(e);
    }

    /** A JDBC URL without its parameters, which may hold a password: for messages. */
    public static String withoutQuery(String jdbcUrl) {
        return dev.hiringkit.internal.db.DatabaseFailures.withoutQuery(jdbcUrl);
    }

    /** The message of the innermost cause that has one (a closed socket's has none), for the log. */
    public static String rootMessage(Throwable e) {
        return dev.hiringkit.internal.db.DatabaseFailures.rootMessage(e);
    }
}
