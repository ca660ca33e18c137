package dev.hiringkit.testing;

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

    private ChildJvm() {
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
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
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
