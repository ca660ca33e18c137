package dev.hiringkit.repository;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.Table;
import dev.hiringkit.internal.repository.BatchEntries;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Row;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * New rows for one or more tables, inserted together, parents first. A row is given typed, or as the
 * text of its fields, which is checked by the same rules as a CSV file's record: a value that does not
 * parse (a datetime that is not one, say) is then a reason of that row rather than an error of the
 * whole batch. With {@code allOrNothing}, one invalid row keeps every row out.
 */
public final class Batch {

    private final Map<Table, List<Object>> entries;
    private final boolean allOrNothing;
    private final Optional<String> madeBy;
    private final Optional<String> idempotencyKey;

    private Batch(Map<Table, List<Object>> entries, boolean allOrNothing, Optional<String> madeBy,
            Optional<String> idempotencyKey) {
        this.entries = entries;
        this.allOrNothing = allOrNothing;
        this.madeBy = madeBy;
        this.idempotencyKey = idempotencyKey;
    }

    public static Batch ofDepartments(List<Department> rows) {
        return builder().addAll(rows).build();
    }

    public static Batch ofJobs(List<Job> rows) {
        return builder().addAll(rows).build();
    }

    public static Batch ofHiredEmployees(List<HiredEmployee> rows) {
        return builder().addAll(rows).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The same rows in all-or-nothing mode. */
    public Batch asAllOrNothing() {
        return new Batch(entries, true, madeBy, idempotencyKey);
    }

    /**
     * The same batch carrying an idempotency key (1 to 255 printable ASCII characters; a UUID is a good one),
     * so that sending it again is safe: the key is stored with the batch's result in the batch's own
     * transaction, and for as long as the key is kept (24 hours by default, see
     * {@link dev.hiringkit.HiringKit.Builder#idempotencyRetention}) the same batch with the same key returns
     * that first result ({@link BatchResult#replayed()} true) without touching a table, from any process on
     * the database. The same key with other rows, or another mode, is refused with
     * {@link dev.hiringkit.HiringException.Code#IDEMPOTENCY_KEY_REUSED}. Keys are per {@link #madeBy()}: two
     * senders' keys never meet.
     */
    public Batch withIdempotencyKey(String key) {
        return new Batch(entries, allOrNothing, madeBy,
                Optional.of(dev.hiringkit.internal.db.IdempotencyKeys.checkKey(key)));
    }

    /** The idempotency key the batch carries, if any; see {@link #withIdempotencyKey}. */
    public Optional<String> idempotencyKey() {
        return idempotencyKey;
    }

    public boolean allOrNothing() {
        return allOrNothing;
    }

    /** Who sent the batch, recorded with its rejected rows; see {@link Builder#madeBy}. */
    public Optional<String> madeBy() {
        return madeBy;
    }

    /** How many rows the batch holds for {@code table}. */
    public int size(Table table) {
        return entries.get(table).size();
    }

    static {
        // The writer reads the rows through this, so that they need no public accessor of their loose type.
        BatchEntries.grant((batch, table) -> batch.entries.get(table));
    }

    /** Collects the rows of a batch; a row's position in its table's list is its index in the result. */
    public static final class Builder {
        private final Map<Table, List<Object>> entries = new EnumMap<>(Table.class);
        private boolean allOrNothing;
        private String madeBy;

        private Builder() {
            for (Table table : Table.values()) {
                entries.put(table, new ArrayList<>());
            }
        }

        /** A typed row, for the table it belongs to. */
        public Builder add(Row row) {
            if (row == null) {
                throw new HiringException(Code.INVALID_ARGUMENT, "A batch's row cannot be null.");
            }
            entries.get(row.table()).add(row);
            return this;
        }

        public Builder addAll(List<? extends Row> rows) {
            rows.forEach(this::add);
            return this;
        }

        /**
         * A row of {@code table} as the text of its fields, in the table's column order ({@link Table#columns()});
         * a null field counts as empty.
         */
        public Builder addRecord(Table table, List<String> fields) {
            List<String> copy = new ArrayList<>(fields.size());
            fields.forEach(field -> copy.add(field == null ? "" : field));
            entries.get(table).add(Collections.unmodifiableList(copy));
            return this;
        }

        public Builder allOrNothing(boolean allOrNothing) {
            this.allOrNothing = allOrNothing;
            return this;
        }

        /**
         * Who sends the batch, as the caller names them (the server gives {@code user:alice} or
         * {@code client:nightly-etl}): recorded with each rejected row. Null, the default, records no one.
         */
        public Builder madeBy(String madeBy) {
            this.madeBy = madeBy == null ? null : LoadOptions.checkMadeBy(madeBy);
            return this;
        }

        public Batch build() {
            Map<Table, List<Object>> copy = new EnumMap<>(Table.class);
            entries.forEach((table, list) -> copy.put(table, List.copyOf(list)));
            return new Batch(copy, allOrNothing, Optional.ofNullable(madeBy), Optional.empty());
        }
    }
}
