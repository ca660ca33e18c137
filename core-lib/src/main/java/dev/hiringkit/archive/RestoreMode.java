package dev.hiringkit.archive;

/** How a restore treats the rows already in a table. */
public enum RestoreMode {
    /** The table becomes exactly the backup's copy: rows not in the backup are removed. */
    REPLACE,
    /** Adds the backup's rows whose ids are missing from the table; the others are skipped and reported. */
    APPEND
}
