package dev.hiringkit.internal.repository;

import dev.hiringkit.Table;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Row;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

/**
 * A batch's rows of one table sent as one array per column and inserted with one statement: the one
 * statement jOOQ does not write (see the README). Typed arrays, because the driver sends Integer[] and
 * String[] in binary, an Object[] as text it must escape.
 */
final class UnnestRows {

    private UnnestRows() {
    }

    /** {@code INSERT INTO table (columns) SELECT * FROM unnest(...)}, one parameter per column. */
    static String insert(Table table) {
        return "INSERT INTO " + table.sqlName() + " (" + columns(table) + ") " + select(table);
    }

    /** The rows as a relation, one array parameter per column. */
    static String select(Table table) {
        return switch (table) {
            case DEPARTMENTS, JOBS -> "SELECT * FROM unnest(?::int4[], ?::text[])";
            case HIRED_EMPLOYEES -> "SELECT * FROM unnest(?::int4[], ?::text[], ?::timestamptz[], ?::int4[], ?::int4[])";
        };
    }

    static String columns(Table table) {
        return String.join(", ", table.columns());
    }

    /** Binds the rows, all of {@code table}, to the statement's column arrays. */
    static void bind(Connection connection, PreparedStatement statement, Table table, List<Row> rows)
            throws SQLException {
        statement.setArray(1, ints(connection, rows, Row::id));
        switch (table) {
            case DEPARTMENTS -> statement.setArray(2, texts(connection, rows, r -> ((Department) r).department()));
            case JOBS -> statement.setArray(2, texts(connection, rows, r -> ((Job) r).job()));
            case HIRED_EMPLOYEES -> {
                statement.setArray(2, texts(connection, rows, r -> ((HiredEmployee) r).name()));
                statement.setArray(3, texts(connection, rows, r -> PgTimestamps.text(((HiredEmployee) r).datetime())));
                statement.setArray(4, ints(connection, rows, r -> ((HiredEmployee) r).departmentId()));
                statement.setArray(5, ints(connection, rows, r -> ((HiredEmployee) r).jobId()));
            }
        }
    }

    private static Array ints(Connection connection, List<Row> rows, Function<Row, Integer> field)
            throws SQLException {
        return connection.createArrayOf("int4", rows.stream().map(field).toArray(Integer[]::new));
    }

    private static Array texts(Connection connection, List<Row> rows, Function<Row, String> field)
            throws SQLException {
        return connection.createArrayOf("text", rows.stream().map(field).toArray(String[]::new));
    }
}
