package dev.hiringkit.internal.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Drops the keys that make bulk loads of hired_employees slow and puts them back. The putting back
 * is Flyway's afterMigrate script, so a migration also repairs what a killed load left undone.
 * Internal to HiringKit, not part of its API.
 */
public final class SchemaKeys {

    /** DDL, which stays SQL (as afterMigrate.sql, which puts the keys back, is). */
    private static final String DROP = """
            ALTER TABLE hired_employees
                DROP CONSTRAINT IF EXISTS hired_employees_department_fk,
                DROP CONSTRAINT IF EXISTS hired_employees_job_fk;
            DROP INDEX IF EXISTS hired_employees_datetime_idx;
            """;

    private final String restore;

    public SchemaKeys() {
        try (InputStream in = SchemaKeys.class.getResourceAsStream("/db/migration/afterMigrate.sql")) {
            if (in == null) {
                throw new IllegalStateException("db/migration/afterMigrate.sql is missing from the classpath");
            }
            restore = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops the foreign keys and the report index of hired_employees, committed at once. */
    public void dropForBulkLoad(Connection connection) throws SQLException {
        run(connection, DROP);
    }

    /** Puts back and validates whatever is missing; commits. */
    public void restore(Connection connection) throws SQLException {
        Transactions.inTransaction(connection, () -> {
            restoreInTransaction(connection);
            return null;
        });
    }

    /** Drops the foreign keys and the report index of hired_employees in the caller's transaction. */
    public void dropInTransaction(Connection connection) throws SQLException {
        execute(connection, DROP);
    }

    /**
     * Puts back and validates whatever is missing in the caller's transaction: a row without its
     * department or job fails it with SQLState 23503.
     */
    public void restoreInTransaction(Connection connection) throws SQLException {
        // The index build sorts the whole table: memory for this transaction only (SET LOCAL), since a
        // session setting would outlive it on a pooler's server session, for other clients.
        execute(connection, "SET LOCAL maintenance_work_mem = '256MB'");
        execute(connection, restore);
    }

    private static void run(Connection connection, String sql) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try {
            execute(connection, sql);
        } catch (SQLException e) {
            // A lost connection fails the reset too: the statement's failure is the one to report.
            try {
                connection.setAutoCommit(autoCommit);
            } catch (SQLException reset) {
                e.addSuppressed(reset);
            }
            throw e;
        }
        connection.setAutoCommit(autoCommit);
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
