package dev.hiringkit.testing;

import dev.hiringkit.internal.db.TableLease;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A program run in a JVM of its own, as a user runs it: for what one test JVM cannot show, such as a class
 * path without a dependency, or what a program prints from its first line to its exit.
 */
public final class ChildJvm {

    /** How a run ended: its exit code and everything it printed (standard output and error, interleaved). */
    public record Result(int exitCode, String output) {
    }

    /**
     * The JVM options of a child whose load a test kills or cuts off: its table lease lasts 4 s after its
     * last renewal instead of 20 s, so the load run after it waits 4 s for the table, not 20. The test's
     * own JVM keeps the 20 s a real process has. Four renewals long, as the default is.
     */
    public static final List<String> SHORT_LEASE = List.of("-D" + TableLease.DURATION_PROPERTY + "=PT4S",
            "-D" + TableLease.RENEW_EVERY_PROPERTY + "=PT1S");

    private ChildJvm() {
    }

    /** The command line that runs {@code main} with {@code args} in a JVM like this one, with {@code jvmOptions}. */
    public static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
        return command(jvmOptions, System.getProperty("java.class.path"), main, args);
    }

    private static List<String> command(List<String> jvmOptions, String classPath, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Runs {@code main} with {@code args} on this JVM's class path less the entries {@code leftOut} accepts,
     * its output in {@code output}; fails when it has not ended within {@code timeout}.
     */
    public static Result run(Class<?> main, Predicate<String> leftOut, Path output, Duration timeout, String... args)
            throws IOException, InterruptedException {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(leftOut.negate())
                .collect(Collectors.joining(File.pathSeparator));
        Process child = new ProcessBuilder(command(List.of(), classPath, main, args)).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(main.getSimpleName() + " did not end within " + timeout + ": "
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
        } finally {
            child.destroyForcibly();
        }
        return new Result(child.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
