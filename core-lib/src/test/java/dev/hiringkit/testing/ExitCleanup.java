package dev.hiringkit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Deletes a test JVM's scratch directories when it exits, without making the exit wait: the deletion runs
 * in an {@code rm -rf} the JVM starts and does not wait for.
 *
 * <p>Why: the test server's data directory holds every database the JVM created (each a copy of
 * template1, their WAL, the rows loaded), a few GB after core-lib's suite. Deleted file by file in a
 * shutdown hook (as zonky does by default), that took more than 30 s on a busy machine whose disk is
 * mounted with {@code discard}, and Surefire halted the JVM after its 30 s exit timeout ("The exit has
 * elapsed 30 seconds after System.exit(0)") once in three runs.
 */
public final class ExitCleanup {

    private ExitCleanup() {
    }

    /** Deletes {@code directory} and what it holds once this JVM exits, after {@code before} has run. */
    public static void deleteAtExit(Path directory, Runnable before) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                before.run();
            } finally {
                delete(directory);
            }
        }, "delete " + directory.getFileName()));
    }

    /** Deletes {@code directory} and what it holds once this JVM exits. */
    public static void deleteAtExit(Path directory) {
        deleteAtExit(directory, () -> { });
    }

    private static void delete(Path directory) {
        try {
            new ProcessBuilder("rm", "-rf", directory.toAbsolutePath().toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException noRm) {
            // No rm (Windows): delete here, the exit waits.
            try (Stream<Path> paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory: the system cleans it up eventually
            }
        }
    }
}
