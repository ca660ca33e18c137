package dev.hiringkit.db;

import dev.hiringkit.Table;

/**
 * The advisory lock that keeps loads and restores of one table from interleaving, across every process
 * using the database: both take it by this one expression. Internal to HiringKit, not part of its API.
 */
public final class TableLocks {

    private TableLocks() {
    }

    /** The SQL for the lock's key: {@code pg_advisory_lock(TableLocks.key(table))} and its kin. */
    public static String key(Table table) {
        return "hashtext('hiringkit.load." + table.sqlName() + "')";
    }
}
