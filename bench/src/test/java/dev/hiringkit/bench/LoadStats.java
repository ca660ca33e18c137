package dev.hiringkit.bench;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the clients of one phase saw: batches acknowledged, retries, replays, errors by kind. */
final class LoadStats {

    final String phase;
    final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    /** The batch id each acknowledged batch was answered with. */
    final Map<Integer, String> batchIds = new ConcurrentHashMap<>();
    final LongAdder retries = new LongAdder();
    final LongAdder replays = new LongAdder();
    final LongAdder rejectedInAnswers = new LongAdder();
    final LongAdder duplicateIdRejections = new LongAdder();
    final Set<Integer> givenUp = ConcurrentHashMap.newKeySet();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final AtomicInteger instances = new AtomicInteger();
    private volatile long startNanos;
    private volatile long endNanos;

    LoadStats(String phase) {
        this.phase = phase;
    }

    void started() {
        startNanos = System.nanoTime();
    }

    void ended() {
        endNanos = System.nanoTime();
    }

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    Duration elapsed() {
        return Duration.ofNanos(endNanos - startNanos);
    }

    double rowsPerSecond() {
        return acknowledged.size() * (double) ClusterBatches.ROWS / (elapsed().toNanos() / 1e9);
    }

    /** Errors by kind, sorted, as "503 DATABASE_UNAVAILABLE=12, timeout=1"; "none" when none. */
    String errorSummary() {
        Map<String, Long> sorted = new TreeMap<>();
        errors.forEach((kind, count) -> sorted.put(kind, count.sum()));
        return sorted.isEmpty() ? "none" : sorted.toString().replaceAll("^\\{|\\}$", "");
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
