package dev.hiringkit.archive;

import dev.hiringkit.Table;
import java.util.List;

/**
 * What a restore did, per table. {@code replayed}: this is what an earlier restore with the same idempotency
 * key did, returned without restoring again.
 */
public record RestoreResult(String backupId, RestoreMode mode, List<TableRestore> tables, boolean replayed) {

    public RestoreResult {
        tables = List.copyOf(tables);
    }

    /** What a restore did now. */
    public RestoreResult(String backupId, RestoreMode mode, List<TableRestore> tables) {
        this(backupId, mode, tables, false);
    }

    /**
     * One table: the rows in the backup, the rows the table held before, the rows removed (by
     * {@link RestoreMode#REPLACE}), inserted, and skipped because their id was already there (by
     * {@link RestoreMode#APPEND}), with the first 1,000 of those ids.
     */
    public record TableRestore(Table table, long backupRows, long rowsBefore, long removed, long inserted,
            long skipped, List<Integer> skippedIds) {

        public TableRestore {
            skippedIds = List.copyOf(skippedIds);
        }
    }
}
