package dev.hiringkit.internal.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.LoadResult;
import java.util.UUID;

/** The results kept with idempotency keys, as JSON (a batch's whole result, a load's id), and their replays. */
final class StoredResults {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private StoredResults() {
    }

    /** A batch's result as stored with its key. */
    static String json(BatchResult result) {
        try {
            return JSON.writeValueAsString(new BatchResult(result.batchId(), result.tables(), false));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a batch result is always JSON", e);
        }
    }

    /** The stored result of a batch, as a replay. */
    static BatchResult batch(String json) {
        try {
            BatchResult stored = JSON.readValue(json, BatchResult.class);
            return new BatchResult(stored.batchId(), stored.tables(), true);
        } catch (JsonProcessingException e) {
            throw new HiringException(Code.DATABASE_ERROR, "The stored result of an idempotency key is unreadable", e);
        }
    }

    /** A recorded load, as the answer to a request sent again with its key. */
    static LoadResult replay(LoadResult r) {
        return new LoadResult(r.loadId(), r.table(), r.source(), r.status(), r.rowsRead(), r.inserted(), r.rejected(),
                r.rejectedByCode(), r.rejectsFile(), r.duration(), r.madeBy(), true);
    }

    /** A load's id as stored with its key. */
    static String json(UUID loadId) {
        return "{\"loadId\":\"" + loadId + "\"}";
    }

    static UUID loadId(String json) {
        try {
            return UUID.fromString(JSON.readTree(json).get("loadId").asText());
        } catch (JsonProcessingException | RuntimeException e) {
            throw new HiringException(Code.DATABASE_ERROR, "The stored result of an idempotency key is unreadable", e);
        }
    }
}
