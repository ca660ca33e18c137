package dev.hiringkit.repository;

import java.util.List;

/**
 * One page of the rejections log, for keyset paging: each rejection with its position in the log, and
 * whether more follow. The next page is asked for after the last entry's position.
 */
public record RejectionPage(List<Entry> entries, boolean hasNext) {

    public RejectionPage {
        entries = List.copyOf(entries);
    }

    /** A logged rejection and its position in the log (positions grow as rejections are logged). */
    public record Entry(long position, Rejection rejection) {
    }
}
