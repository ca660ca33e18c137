package dev.hiringkit.repository;

import dev.hiringkit.Table;
import dev.hiringkit.validation.Violation;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a batch did: per table, how many rows were inserted and which were rejected and why. The
 * rejected rows are also in the rejections log under {@code batchId}. {@code replayed} is true when this is
 * the stored result of an earlier run of the same batch with the same idempotency key
 * ({@link Batch#withIdempotencyKey}): this call changed nothing.
 */
public record BatchResult(UUID batchId, Map<Table, TableOutcome> tables, boolean replayed) {

    public BatchResult {
        tables = Map.copyOf(tables);
    }

    /** The result of a batch that ran now. */
    public BatchResult(UUID batchId, Map<Table, TableOutcome> tables) {
        this(batchId, tables, false);
    }

    /** The outcome for one table of the batch. */
    public record TableOutcome(int inserted, List<RejectedRow> rejected) {

        public TableOutcome {
            rejected = List.copyOf(rejected);
        }
    }

    /**
     * A refused row: its position in the batch's list for its table (0-based), the row as a CSV record
     * (as it is logged) and every reason.
     */
    public record RejectedRow(int index, String record, List<Violation> reasons) {

        public RejectedRow {
            reasons = List.copyOf(reasons);
        }
    }

    public int inserted() {
        return tables.values().stream().mapToInt(TableOutcome::inserted).sum();
    }

    public int rejected() {
        return tables.values().stream().mapToInt(t -> t.rejected().size()).sum();
    }
}
