package dev.hiringkit.server.graphql;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the keyed mutations of one request did (run, or replayed from their idempotency key): the HTTP layer
 * answers {@code Idempotent-Replayed: true} when every one was a replay. One per request, in its
 * GraphQLContext under {@link HiringGraphQL#REPLAYS}.
 */
public final class IdempotentReplays {

    private final AtomicInteger keyed = new AtomicInteger();
    private final AtomicInteger replayed = new AtomicInteger();

    /**
     * A keyed mutation ({@code ingest}, {@code loadHistorical}...) answered: run now, or replayed.
     */
    void record(String mutation, boolean replay) {
        keyed.incrementAndGet();
        if (replay) {
            replayed.incrementAndGet();
        }
    }

    /** Whether the request had keyed mutations and every one of them was answered from its key. */
    public boolean allReplayed() {
        int count = keyed.get();
        return count > 0 && replayed.get() == count;
    }
}
