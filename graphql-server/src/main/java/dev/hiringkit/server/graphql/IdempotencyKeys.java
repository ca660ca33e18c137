package dev.hiringkit.server.graphql;

import static dev.hiringkit.server.graphql.ApiException.Code.IDEMPOTENCY_KEY_MISMATCH;
import static dev.hiringkit.server.graphql.ApiException.Code.INVALID_IDEMPOTENCY_KEY;

import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.server.observability.HiringMetrics;
import graphql.schema.DataFetchingEnvironment;
import java.util.Optional;
import java.util.Set;

/**
 * The idempotency keys of the keyed mutations: which mutations take one, what a key must be, the key of a
 * request (argument or header), and the record of each keyed answer (run now, or replayed from its key).
 */
public final class IdempotencyKeys {

    /** The mutations that take an idempotency key (argument {@code idempotencyKey}, or the header). */
    public static final Set<String> KEYED_MUTATIONS = Set.of("ingest", "uploadCsv", "loadHistorical", "backup",
            "restore");

    /** What an idempotency key must be, for people. */
    public static final String KEY_RULE = "An idempotency key is 1 to " + IdempotencyKey.MAX_LENGTH
            + " printable ASCII characters (a UUID is a good one).";

    private final HiringMetrics metrics;

    IdempotencyKeys(HiringMetrics metrics) {
        this.metrics = metrics;
    }

    /** Whether {@code key} is one the library takes: 1 to 255 printable ASCII characters. */
    public static boolean valid(String key) {
        return IdempotencyKey.isValid(key);
    }

    /**
     * The key of a keyed mutation: its {@code idempotencyKey} argument, or the request's
     * {@code Idempotency-Key} header; both may be given only when they are the same key.
     */
    static Optional<String> of(DataFetchingEnvironment env) {
        String argument = env.getArgument("idempotencyKey");
        String header = env.getGraphQlContext().get(HiringGraphQL.IDEMPOTENCY_KEY);
        if (argument != null && !valid(argument)) {
            throw new ApiException(INVALID_IDEMPOTENCY_KEY, KEY_RULE);
        }
        if (argument != null && header != null && !argument.equals(header)) {
            throw new ApiException(IDEMPOTENCY_KEY_MISMATCH, "The idempotencyKey argument and the Idempotency-Key"
                    + " header differ: send one of them, or the same key in both.");
        }
        return Optional.ofNullable(argument != null ? argument : header);
    }

    /**
     * Tells the request that a keyed mutation was answered, run now or replayed from its key, and counts
     * the replays.
     */
    void answered(DataFetchingEnvironment env, Optional<String> key, boolean replayed) {
        if (key.isPresent() && replayed) {
            metrics.replayed(env.getField().getName());
        }
        IdempotentReplays replays = env.getGraphQlContext().get(HiringGraphQL.REPLAYS);
        if (key.isPresent() && replays != null) {
            replays.record(env.getField().getName(), replayed);
        }
    }
}
