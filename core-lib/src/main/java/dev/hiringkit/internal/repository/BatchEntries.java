package dev.hiringkit.internal.repository;

import dev.hiringkit.Table;
import dev.hiringkit.model.Row;
import dev.hiringkit.repository.Batch;
import java.util.List;
import org.apache.commons.csv.CSVFormat;

/**
 * How the batch writer reads a {@link Batch}'s rows, which the API keeps to itself (each is a typed row
 * or a list of field texts: no type a user would want to read). {@code Batch} grants the access as it is
 * loaded, so it is there before any batch is. Internal to HiringKit, not part of its API.
 */
public final class BatchEntries {

    /** Reads the rows of one table of a batch, in the order given. */
    @FunctionalInterface
    public interface Access {
        List<Object> entries(Batch batch, Table table);
    }

    private static volatile Access access;

    private BatchEntries() {
    }

    /** Called once, by {@code Batch} as it is loaded. */
    public static void grant(Access granted) {
        if (access != null) {
            throw new IllegalStateException("the access to batches is granted once, by Batch");
        }
        access = granted;
    }

    /** The rows of {@code table} in {@code batch}, in the order given: each a Row or a List of String fields. */
    static List<Object> of(Batch batch, Table table) {
        return access.entries(batch, table);
    }

    /** The fields of an entry given as text. */
    @SuppressWarnings("unchecked")
    static List<String> fields(Object entry) {
        return (List<String>) entry;
    }

    /** An entry as the CSV record it is logged as: a typed row rendered, a text record as given. */
    static String record(Object entry) {
        return entry instanceof Row row ? row.toCsv() : CSVFormat.RFC4180.format(fields(entry).toArray());
    }
}
