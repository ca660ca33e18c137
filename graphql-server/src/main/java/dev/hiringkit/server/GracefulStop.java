package dev.hiringkit.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an instance stops, whatever stops it (SIGTERM, {@code Server.stop()}), and whether it is stopping:
 * {@link #isStopping()} is what anything that reports on the instance (readiness, metrics) asks.
 *
 * <p>The order: at once the instance stops being ready ({@code /health/ready} answers 503) but keeps
 * serving, for the {@linkplain ServerConfig#drainDelay() drain delay}, so that a load balancer checking
 * readiness takes it out of rotation before it refuses anything; then it refuses new requests (503
 * {@code SHUTTING_DOWN} with {@code Retry-After}), ends its event streams, and waits for the requests in
 * flight and its background loads until the {@linkplain ServerConfig#shutdownGrace() grace period}, counted
 * from the first moment, is over; then Jetty closes the connections and whatever is left is cut off. A load
 * cut off is left resumable by its own design: each chunk commits with its checkpoint.
 */
public final class GracefulStop implements LifeCycle.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    /** Where an instance is in its stop. */
    public enum Phase {
        /** Ready and serving. */
        SERVING,
        /** Not ready, still serving: the drain delay, while balancers notice. */
        DRAINING,
        /** Refusing new requests; those in flight and background loads finish within the grace period. */
        REFUSING,
        /** Done waiting: Jetty closes the connections. */
        STOPPED
    }

    /** Work the instance waits for besides requests: open event streams, background loads. */
    public interface Participant {
        /**
         * Told once, when the instance starts refusing new requests; the future completes when this work has
         * ended. At {@code deadline} the instance stops whether it has or not.
         */
        CompletableFuture<Void> stop(Instant deadline);
    }

    private final Duration grace;
    private final Duration drainDelay;
    private final GracefulHandler requests;
    private final List<Participant> participants = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Phase phase = Phase.SERVING;
    private volatile boolean readinessWatched;

    GracefulStop(Duration grace, Duration drainDelay, GracefulHandler requests) {
        this.grace = grace;
        this.drainDelay = drainDelay;
        this.requests = requests;
    }

    /** True from the first moment of a stop: the instance is no longer ready and will soon refuse requests. */
    public boolean isStopping() {
        return phase != Phase.SERVING;
    }

    /** True once new requests are refused with 503 {@code SHUTTING_DOWN}. */
    public boolean isRefusing() {
        return phase == Phase.REFUSING || phase == Phase.STOPPED;
    }

    public Phase phase() {
        return phase;
    }

    /** Adds work to wait for when the instance stops. */
    public void register(Participant participant) {
        participants.add(participant);
    }

    /**
     * Told by the readiness check each time it answers. The drain delay is waited only when something
     * watches readiness: a balancer that never asks cannot notice, so waiting for it would only slow the stop
     * (and every test that stops a server).
     */
    public void readinessAsked() {
        readinessWatched = true;
    }

    @Override
    public void lifeCycleStopping(LifeCycle event) {
        stop();
    }

    /** Runs once; a second stop (a second signal, the JVM's shutdown hook) goes straight on to Jetty's. */
    private void stop() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        Instant deadline = Instant.now().plus(grace);
        phase = Phase.DRAINING;
        Duration drain = readinessWatched ? min(drainDelay, grace) : Duration.ZERO;
        LOG.info("Stopping: not ready now; new requests served for {} ms more, then refused; requests in flight"
                + " and background loads have until {} ms from now", drain.toMillis(), grace.toMillis());
        try {
            Thread.sleep(drain.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        phase = Phase.REFUSING;
        List<CompletableFuture<Void>> work = new ArrayList<>();
        work.add(requests.shutdown());
        for (Participant participant : participants) {
            try {
                work.add(participant.stop(deadline));
            } catch (RuntimeException e) {
                LOG.warn("could not stop {}: {}", participant, e.toString());
            }
        }
        long left = grace.toNanos() - (System.nanoTime() - start);
        try {
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            LOG.info("Stopped gracefully after {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (TimeoutException e) {
            LOG.warn("The grace period ({} s) is over with work still running: stopping anyway", grace.toSeconds());
        } catch (ExecutionException e) {
            LOG.warn("Waiting for the requests in flight failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        phase = Phase.STOPPED;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
