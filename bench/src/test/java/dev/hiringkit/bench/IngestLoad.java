package dev.hiringkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * The cluster test's clients: threads that each take the next batch number and send that batch until
 * it is acknowledged, as a pipeline that must not lose data does. A failed attempt (an error answer, a
 * 5xx, a broken connection, no answer within {@link #TIMEOUT}) is retried with the same rows and the
 * same idempotency key after a backoff; a batch still unacknowledged after {@link #GIVE_UP} is given up.
 */
final class IngestLoad {

    /** The client's patience for one attempt: a 1000-row batch takes about 0.1 s on a quiet machine. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Backoff between attempts: 100 ms doubling to 2 s, with jitter so clients do not retry in step. */
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 2_000;
    /** Longer than any outage the chaos causes (a primary restart, every instance down at once). */
    static final Duration GIVE_UP = Duration.ofMinutes(3);

    private IngestLoad() {
    }

    /** Sends batches from {@code next} (-1: no more) on {@code clients} threads until it runs dry. */
    static void run(ApiClient api, int clients, IntSupplier next, LoadStats stats) throws InterruptedException {
        stats.started();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int b = next.getAsInt(); b >= 0; b = next.getAsInt()) {
                        send(api, b, stats);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "client-" + i);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        stats.ended();
    }

    /** Sends the departments and jobs, with retries like any batch. */
    static void setup(ApiClient api, LoadStats stats) throws InterruptedException {
        sendUntilAcknowledged(api, ClusterBatches.INGEST, ClusterBatches.setup(), ClusterBatches.setupKey(), TIMEOUT, stats);
    }

    private static void send(ApiClient api, int b, LoadStats stats) throws InterruptedException {
        JsonNode data = sendUntilAcknowledged(api, ClusterBatches.INGEST, ClusterBatches.batch(b), ClusterBatches.key(b),
                TIMEOUT, stats);
        if (data == null) {
            stats.givenUp.add(b);
            return;
        }
        JsonNode ingest = data.path("ingest");
        stats.rejectedInAnswers.add(ingest.path("rejected").asLong());
        for (JsonNode table : ingest.path("tables")) {
            for (JsonNode row : table.path("rejected")) {
                for (JsonNode reason : row.path("reasons")) {
                    if (ClusterNames.DUPLICATE_ID.equals(reason.path("code").asText())) {
                        stats.duplicateIdRejections.increment();
                    }
                }
            }
        }
        stats.batchIds.put(b, ingest.path("batchId").asText());
        stats.acknowledged.add(b);
    }

    /**
     * Posts the operation until it is acknowledged and returns its data; null after {@link #GIVE_UP}.
     * Every attempt carries the same key.
     */
    static JsonNode sendUntilAcknowledged(ApiClient api, String query, java.util.Map<String, ?> variables, String key,
            Duration timeout, LoadStats stats) throws InterruptedException {
        Instant giveUp = Instant.now().plus(GIVE_UP);
        for (int attempt = 1; ; attempt++) {
            ApiClient.Answer answer = api.post(query, variables, key, timeout);
            if (answer.replayed()) {
                stats.replays.increment();
            }
            if (answer.acknowledged()) {
                return answer.data();
            }
            stats.error(answer.failure());
            if (Instant.now().isAfter(giveUp)) {
                return null;
            }
            stats.retries.increment();
            long backoff = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(attempt - 1, 10));
            Thread.sleep(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
        }
    }
}
