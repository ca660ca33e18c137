package dev.hiringkit.internal.db;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Database work run on a thread of its own, beside the caller's, which waits for it before it goes on:
 * at the end of a load the server has both cores, and two statements on two connections use them.
 * Internal to HiringKit, not part of its API.
 */
public final class SideTask {

    private static final Logger LOG = LoggerFactory.getLogger(SideTask.class);

    private final FutureTask<Void> task;

    private SideTask(FutureTask<Void> task) {
        this.task = task;
    }

    /** Starts {@code work} on a new daemon thread named {@code name}. */
    public static SideTask start(String name, Transactions.Work<?> work) {
        FutureTask<Void> task = new FutureTask<>(() -> {
            work.run();
            return null;
        });
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return new SideTask(task);
    }

    /** Waits for the work to end; its failure is thrown as it was. */
    private void await() throws SQLException {
        try {
            task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HiringException(Code.DATABASE_ERROR, "Interrupted while waiting for the database", e);
        }
    }

    /**
     * Waits for the work to end; false when it failed, for the caller to do it again on its own
     * connection (a pool too small to lend a second one makes the work fail once its connection timeout
     * has passed). The failure is logged at DEBUG.
     */
    public boolean succeeded() {
        try {
            await();
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Work beside the caller's failed; the caller does it again: {}", e.toString());
            return false;
        }
    }

    /**
     * Waits for the work to end when the caller failed: it holds a connection, which must be back
     * before the caller goes on; its own failure is kept beside {@code cause}.
     */
    public void awaitAfter(Exception cause) {
        try {
            await();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
