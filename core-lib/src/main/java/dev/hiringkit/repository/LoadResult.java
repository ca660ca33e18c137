package dev.hiringkit.repository;

import dev.hiringkit.Table;
import dev.hiringkit.validation.ReasonCode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The totals of one load. {@code rejectedByCode} counts, for each reason, the records that had it
 * (a record with two reasons counts under both); {@code rejected} counts records. {@code rejectsFile}
 * says where the rejected records were written, when there were any; {@code madeBy} who started the load,
 * when its caller said ({@link LoadOptions.Builder#madeBy}); {@code replayed}, that this call started
 * nothing: it was sent again with the idempotency key of this load ({@link LoadOptions.Builder#idempotencyKey}).
 */
public record LoadResult(UUID loadId, Table table, String source, LoadStatus status, long rowsRead, long inserted,
        long rejected, Map<ReasonCode, Long> rejectedByCode, Optional<String> rejectsFile, Duration duration,
        Optional<String> madeBy, boolean replayed) {

    public LoadResult {
        rejectedByCode = Map.copyOf(rejectedByCode);
    }

    /** The result of a load this call ran. */
    public LoadResult(UUID loadId, Table table, String source, LoadStatus status, long rowsRead, long inserted,
            long rejected, Map<ReasonCode, Long> rejectedByCode, Optional<String> rejectsFile, Duration duration,
            Optional<String> madeBy) {
        this(loadId, table, source, status, rowsRead, inserted, rejected, rejectedByCode, rejectsFile, duration,
                madeBy, false);
    }
}
