package dev.hiringkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program the cluster test runs (a server, HAProxy, PgBouncer), its output in a log file. It can be
 * stopped as an operator or a crash would: {@link #terminate} sends SIGTERM, {@link #kill} SIGKILL.
 */
final class ChildProcess {

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private Process process;

    ChildProcess(String name, List<String> command, Map<String, String> environment, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    /** Starts the program, appending to its log (a restart keeps what the last run wrote). */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " runs already");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + " (" + command.get(0) + ")", e);
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crash or the kernel's OOM killer would end it; returns when it is gone. */
    void kill() {
        Process running;
        synchronized (this) {
            running = process;
        }
        if (running != null && running.isAlive()) {
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
            waitFor(running, Duration.ofSeconds(30));
        }
    }

    /**
     * SIGTERM, as systemd or an operator stops it, then waits up to {@code patience} for it to exit;
     * SIGKILL after that. Returns the exit code (143, or 0 for a program that exits cleanly on SIGTERM),
     * or -1 when it had to be killed.
     */
    int terminate(Duration patience) {
        Process running;
        synchronized (this) {
            running = process;
        }
        if (running == null || !running.isAlive()) {
            return running == null ? 0 : running.exitValue();
        }
        running.destroy();
        if (waitFor(running, patience)) {
            return running.exitValue();
        }
        kill();
        return -1;
    }

    /** The last lines of the log, to say why a program did not start. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
