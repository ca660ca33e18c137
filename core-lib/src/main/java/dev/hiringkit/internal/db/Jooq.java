package dev.hiringkit.internal.db;

import java.sql.Connection;
import java.sql.SQLException;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * jOOQ on a connection the caller holds (its transaction), failing as JDBC does: with the
 * {@link SQLException} underneath jOOQ's {@link DataAccessException}, so that callers keep telling
 * failures apart by SQLState (and {@link DatabaseFailures} keeps translating them). Internal to HiringKit,
 * not part of its API.
 */
public final class Jooq {

    /** A query built and run with jOOQ. */
    @FunctionalInterface
    public interface Query<T> {
        T run(DSLContext sql);
    }

    private Jooq() {
    }

    /** Runs the query on the connection; a database failure comes out as its SQLException. */
    public static <T> T on(Connection connection, Query<T> query) throws SQLException {
        try {
            return query.run(DSL.using(connection, SQLDialect.POSTGRES));
        } catch (DataAccessException e) {
            SQLException cause = e.getCause(SQLException.class);
            if (cause != null) {
                throw cause;
            }
            throw e;
        }
    }
}
