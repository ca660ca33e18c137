package dev.hiringkit.server.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM (what systemd, Kubernetes and {@code kill} send) and SIGINT (Ctrl+C) stop {@code hiring serve}
 * gracefully (see {@code GracefulStop}); a second one stops it at once.
 *
 * <p>Why not the JVM's shutdown hooks, through which Jetty stops a server on SIGTERM by itself: the JVM runs
 * every hook at once, so the embedded PostgreSQL's own hook would stop the database under the requests the
 * server is still finishing, and the process would end with 143 however cleanly it stopped. Handled here,
 * the server stops first, then the database, and the process exits with 0. {@code sun.misc.Signal} is the
 * JDK's only way to handle a signal; it lives in the {@code jdk.unsupported} module, kept for uses like this.
 */
final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /**
     * Handles both signals for {@code server}; {@code beforeStop} runs first, before the stop's drain (the
     * embedded database is lent to no new process: it goes once the server has stopped).
     */
    static void install(Server server, Duration grace, PrintWriter out, Runnable beforeStop) {
        AtomicBoolean stopping = new AtomicBoolean();
        SignalHandler handler = signal -> {
            if (stopping.compareAndSet(false, true)) {
                out.println("Stopping (SIG" + signal.getName() + "): finishing the requests in flight, for up to "
                        + grace.toSeconds() + " s; signal again to stop at once.");
                out.flush();
                beforeStop.run();
                Thread stop = new Thread(() -> {
                    try {
                        server.stop();
                    } catch (Exception e) {
                        LOG.warn("the server did not stop cleanly: {}", e.toString());
                    }
                }, "hiring-stop");
                stop.start();
            } else {
                // At once, as SIGKILL would: the JVM's shutdown hooks would wait for the graceful stop under way.
                // An open chunk is rolled back with its connection; an embedded PostgreSQL left running is
                // stopped at the next start.
                Runtime.getRuntime().halt(128 + signal.getNumber());
            }
        };
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), handler);
            } catch (IllegalArgumentException e) {
                // Ignored by whoever started the process (nohup, a shell's background job): leave it so.
                LOG.debug("SIG{} is not handled: {}", name, e.getMessage());
            }
        }
    }
}
