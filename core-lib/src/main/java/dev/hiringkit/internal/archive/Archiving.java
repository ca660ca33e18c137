package dev.hiringkit.internal.archive;

import dev.hiringkit.Table;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** What backups and restores share: the order tables go in and how often progress is told. */
final class Archiving {

    /** Rows between two reports of progress. */
    static final int PROGRESS_ROWS = 1 << 16;

    private Archiving() {
    }

    /** The tables given, or all of them, parents before children (the enum's order). */
    static List<Table> parentsFirst(Table[] tables) {
        return Arrays.stream(tables.length == 0 ? Table.values() : tables).distinct().sorted().toList();
    }

    /** The tables' SQL names, comma-separated, as LOCK TABLE and messages list them. */
    static String names(List<Table> tables) {
        return tables.stream().map(Table::sqlName).collect(Collectors.joining(", "));
    }
}
