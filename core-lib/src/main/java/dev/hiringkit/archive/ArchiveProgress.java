package dev.hiringkit.archive;

import dev.hiringkit.Table;

/** How far a backup or a restore has come: told as each table starts, every so many rows, and as it ends. */
@FunctionalInterface
public interface ArchiveProgress {

    /** Tells nothing. */
    ArchiveProgress NONE = (table, rows, expectedRows) -> { };

    /**
     * @param rows         the rows of {@code table} done so far
     * @param expectedRows how many there will be: exact for a restore (the manifest says), PostgreSQL's
     *                     estimate for a backup; -1 when not known
     */
    void rows(Table table, long rows, long expectedRows);
}
