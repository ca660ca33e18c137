package dev.hiringkit.server.graphql;

import static dev.hiringkit.server.graphql.ApiException.Code.LOAD_NOT_STARTED;
import static dev.hiringkit.server.graphql.ApiException.Code.SHUTTING_DOWN;
import static dev.hiringkit.server.graphql.ApiException.Code.TOO_MANY_LOADS;
import static dev.hiringkit.server.graphql.ApiException.Code.UPLOAD_FAILED;

import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadProgress;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.server.GracefulStop;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads asked for with {@code async: true}: run on a thread of their own, answered as soon as the load has
 * its row in the loads table, with that row (RUNNING). The client follows it with the loadProgress
 * subscription, through this server or any other. A server that stops while a load runs leaves it RUNNING
 * or FAILED, to resume when its source is loaded again, as with any interrupted load.
 *
 * <p>When the server stops gracefully, a load runs on until {@link #STOP_MARGIN} before the grace period
 * ends, then stops at the end of its next chunk: that chunk and its checkpoint are committed, the load is
 * FAILED, and a later load of the same source resumes after it. Cut anywhere else (the grace period over, a
 * SIGKILL), a chunk's transaction is rolled back with the connection, which leaves the same state.
 */
final class AsyncLoads implements GracefulStop.Participant {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncLoads.class);

    /**
     * Loads running in the background at once, per server. Loads of one table wait for each other anyway
     * (a table lock), and each holds a database connection: four keep the pool (10) open for requests.
     */
    private static final int MAX_RUNNING = 4;
    /** How long a request waits for its load to be recorded: it may wait for the table's lock (10 s). */
    private static final int RECORDED_WITHIN_SECONDS = 30;

    /**
     * What a stopping server leaves a load after telling it to stop: the chunk under way (a few tenths of a
     * second for 50,000 records), then, after a bulk load of hired_employees, putting its foreign keys and
     * report index back (about 5 s for 5 million rows).
     */
    static final Duration STOP_MARGIN = Duration.ofSeconds(10);

    private final ThreadPoolExecutor loads = new ThreadPoolExecutor(0, MAX_RUNNING, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), DaemonThreads.threads("hiring-load"));
    private final ScheduledExecutorService timer = DaemonThreads.scheduler("hiring-feed");
    /** Each load running, done when it ends. */
    private final Set<CompletableFuture<Void>> running = ConcurrentHashMap.newKeySet();
    /** When loads stop at their next chunk's end; null while the server is not stopping. */
    private volatile Instant stopAt;

    /** A load stopped at a chunk's end because the server stops. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String source) {
            super("the load of " + source + " stopped at a chunk's end as the server stops; a load of the same"
                    + " source resumes it", null, false, false);
        }
    }

    @Override
    public CompletableFuture<Void> stop(Instant deadline) {
        stopAt = deadline.minus(STOP_MARGIN);
        return CompletableFuture.allOf(running.toArray(CompletableFuture[]::new));
    }

    private boolean mustStop() {
        Instant at = stopAt;
        return at != null && !Instant.now().isBefore(at);
    }

    /** The timer the load feeds poll on. */
    ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * Starts {@code run} in the background with {@code options} plus a hook that learns the first load's id,
     * and answers that load as recorded. A failure before it is recorded (a missing file, the table's lock
     * not had) is this call's; a later one is the load's, recorded as FAILED.
     */
    LoadResult start(String source, Function<LoadOptions, List<LoadResult>> run, LoadOptions.Builder options,
            HiringRepository repository) {
        if (stopAt != null) {
            throw new ApiException(SHUTTING_DOWN, "This server is stopping; start the load again (another instance"
                    + " runs it).");
        }
        // A load's id once recorded; or, when the run records none (a replay of an idempotency key, files
        // loaded before), the run's first result as it ended.
        CompletableFuture<Object> recorded = new CompletableFuture<>();
        LoadOptions withHook = options.progress(new LoadProgress() {
            /** Told after each chunk is committed with its checkpoint: the one clean place to stop. */
            @Override
            public void update(long bytesRead, long totalBytes, long rowsRead) {
                if (mustStop()) {
                    throw new Stopped(source);
                }
            }

            @Override
            public void recorded(UUID loadId) {
                recorded.complete(loadId);
            }
        }).build();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        running.add(ended);
        try {
            loads.execute(() -> {
                try {
                    List<LoadResult> results = run.apply(withHook);
                    // A directory whose files were all loaded before, a replay: its first result.
                    recorded.complete(results.get(0));
                } catch (Stopped e) {
                    LOG.info("{}", e.getMessage());
                } catch (RuntimeException e) {
                    if (!recorded.completeExceptionally(e)) {
                        LOG.warn("the background load of {} failed: {}", source, e.toString());
                    }
                } finally {
                    running.remove(ended);
                    ended.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            running.remove(ended);
            throw new ApiException(TOO_MANY_LOADS, MAX_RUNNING + " loads already run in the background on this"
                    + " server; try again when one has ended, or without async.");
        }
        Object answer;
        try {
            answer = recorded.get(RECORDED_WITHIN_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(LOAD_NOT_STARTED, "The load of " + source + " has not started within "
                    + RECORDED_WITHIN_SECONDS + " seconds; it may still start: see the loads query.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(LOAD_NOT_STARTED, "Interrupted while the load of " + source + " started.");
        }
        if (answer instanceof LoadResult result) {
            return result;
        }
        UUID id = (UUID) answer;
        return repository.findLoad(id).orElseThrow(() -> new IllegalStateException("load " + id + " not recorded"));
    }

    /** Receives an uploaded file whole into a temporary file, which the load deletes when it ends. */
    Path spool(FileUpload file) {
        Path spooled = null;
        try (InputStream in = file.open()) {
            spooled = Files.createTempFile("hiring-upload-", ".csv");
            Files.copy(in, spooled, StandardCopyOption.REPLACE_EXISTING);
            return spooled;
        } catch (IOException e) {
            delete(spooled);
            throw new ApiException(UPLOAD_FAILED, e.getMessage());
        }
    }

    static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete the spooled upload {}: {}", file, e.toString());
        }
    }
}
