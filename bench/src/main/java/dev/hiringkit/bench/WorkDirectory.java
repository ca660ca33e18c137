package dev.hiringkit.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A benchmark's working directory (data, database, archive): gigabytes, so it is deleted when the JVM exits. */
final class WorkDirectory {

    private WorkDirectory() {
    }

    static Path deletedAtExit(String benchmark) throws IOException {
        Path dir = Files.createTempDirectory("hiring-bench-" + benchmark);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        return dir;
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Could not delete " + dir + ": " + e.getMessage());
        }
    }
}
