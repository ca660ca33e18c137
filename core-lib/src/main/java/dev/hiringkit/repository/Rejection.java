package dev.hiringkit.repository;

import dev.hiringkit.Table;
import dev.hiringkit.validation.Violation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A logged record that broke a data rule. {@code recordNumber} is the line where the record starts
 * for a file load, and the 1-based position in its table's list for a batch. {@code madeBy} names who
 * made the load or batch, when its caller said ({@link LoadOptions.Builder#madeBy}, {@link Batch.Builder#madeBy}).
 */
public record Rejection(UUID loadId, String source, Table table, long recordNumber, String rawRecord,
        List<Violation> reasons, Instant rejectedAt, Optional<String> madeBy) {

    public Rejection {
        reasons = List.copyOf(reasons);
    }
}
