package dev.hiringkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * What goes wrong during the chaos phase, each step once the clients have acknowledged a share of the
 * phase's batches: a backup through the API; SIGKILL of one instance, started again; SIGTERM of another,
 * started again; a restart of the PostgreSQL primary. The clients keep sending until every step is done.
 */
final class Chaos implements Runnable {

    static final String BACKUP = "mutation { backup { id tables { table rows } } }";
    static final String BACKUP_KEY = "cluster-backup";
    /** How long the primary stays down: long enough for every instance to notice (checks every second). */
    private static final Duration PRIMARY_DOWN = Duration.ofSeconds(3);
    /** How long a killed instance stays down, so clients meet the dead instance before HAProxy drops it. */
    private static final Duration KILLED_DOWN = Duration.ofSeconds(3);

    private final Cluster cluster;
    private final ApiClient api;
    private final int batches;
    private final IntSupplier acknowledged;
    private final LoadStats stats;
    private final long start = System.nanoTime();
    final List<String> events = new ArrayList<>();
    final AtomicReference<JsonNode> backup = new AtomicReference<>();
    volatile int terminatedExit = Integer.MIN_VALUE;
    volatile Duration terminatedIn;
    volatile Throwable failure;
    volatile boolean done;

    Chaos(Cluster cluster, ApiClient api, int batches, IntSupplier acknowledged, LoadStats stats) {
        this.cluster = cluster;
        this.api = api;
        this.batches = batches;
        this.acknowledged = acknowledged;
        this.stats = stats;
    }

    @Override
    public void run() {
        try {
            Thread backupThread = null;
            await(0.10);
            event("backup requested (" + BACKUP_KEY + ")");
            backupThread = new Thread(() -> {
                try {
                    JsonNode data = IngestLoad.sendUntilAcknowledged(api, BACKUP, Map.of(), BACKUP_KEY, Duration.ofMinutes(2), stats);
                    backup.set(data == null ? null : data.path("backup"));
                    event("backup acknowledged: " + (data == null ? "gave up" : data.path("backup").path("id").asText()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "backup");
            backupThread.start();

            await(0.20);
            HiringInstance killed = cluster.instance(0);
            event("SIGKILL " + killed.name());
            killed.process().kill();
            Thread.sleep(KILLED_DOWN.toMillis());
            event("starting " + killed.name() + " again");
            killed.start(cluster.http, Duration.ofSeconds(120));
            cluster.awaitInRotation(0);
            event(killed.name() + " back in rotation");

            await(0.45);
            HiringInstance stopped = cluster.instance(1);
            event("SIGTERM " + stopped.name());
            long before = System.nanoTime();
            terminatedExit = stopped.process().terminate(ClusterNames.SHUTDOWN_GRACE.plusSeconds(20));
            terminatedIn = Duration.ofNanos(System.nanoTime() - before);
            event(stopped.name() + " exited with " + terminatedExit + " after " + terminatedIn.toMillis() + " ms; starting it again");
            stopped.start(cluster.http, Duration.ofSeconds(120));
            cluster.awaitInRotation(1);
            event(stopped.name() + " back in rotation");

            await(0.70);
            event("restarting the PostgreSQL primary (down " + PRIMARY_DOWN.toSeconds() + " s)");
            cluster.database().restartPrimary(PRIMARY_DOWN);
            event("PostgreSQL primary up");

            backupThread.join();
        } catch (Throwable e) {
            failure = e;
            event("chaos failed: " + e);
        } finally {
            done = true;
        }
    }

    /** Waits until the clients have acknowledged {@code share} of the phase's batches. */
    private void await(double share) throws InterruptedException {
        while (acknowledged.getAsInt() < share * batches) {
            Thread.sleep(50);
        }
    }

    private synchronized void event(String what) {
        String line = String.format("  %6.1f s  %s", (System.nanoTime() - start) / 1e9, what);
        events.add(line);
        System.out.println(line);
    }
}
