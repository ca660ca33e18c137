package dev.hiringkit.internal.archive;

import dev.hiringkit.Table;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What a {@code replace} restore does to a table around its COPY, in the restore's transaction: empty it
 * and drop its primary key, then build the key once the rows are in. A table emptied in the transaction
 * takes {@code COPY ... FREEZE} (rows written once, never revisited to set hint bits); an index built in
 * one sort after the COPY costs less than one maintained row by row (5M hired employees: 4.4 s of COPY
 * into a bare table against 6.5 s with the key live). The foreign keys and the report index are
 * {@code SchemaKeys}'; they are dropped first, since a foreign key needs the key it references.
 */
final class BareTables {

    private BareTables() {
    }

    /** Empties the table and drops its primary key; a rollback puts both back. (DDL: it stays SQL.) */
    static void empty(Connection connection, Table table) throws SQLException {
        execute(connection, "TRUNCATE " + table.sqlName());
        execute(connection, "ALTER TABLE " + table.sqlName() + " DROP CONSTRAINT IF EXISTS " + primaryKey(table));
    }

    /** Builds the primary keys of the tables emptied by {@link #empty}; a duplicate id fails it (23505). */
    static void restorePrimaryKeys(Connection connection, List<Table> tables) throws SQLException {
        // Each build sorts its table: memory for this transaction only (SET LOCAL), as SchemaKeys does.
        execute(connection, "SET LOCAL maintenance_work_mem = '256MB'");
        for (Table table : tables) {
            execute(connection, "ALTER TABLE " + table.sqlName() + " ADD CONSTRAINT " + primaryKey(table)
                    + " PRIMARY KEY (id)");
        }
    }

    /** The name PostgreSQL gave the key in migration V1, which the rebuilt key keeps. */
    private static String primaryKey(Table table) {
        return table.sqlName() + "_pkey";
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
