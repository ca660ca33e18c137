package dev.hiringkit.internal.embedded;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JVM of its own for {@link ExtractedBinariesTest}: zonky remembers, per JVM, where it found its binaries,
 * so a start after they were deleted is only a first start in a new JVM. Starts the server of the directory
 * given, prints the path of the executable it runs, and stops it.
 */
public final class ExtractedBinariesMain {

    private ExtractedBinariesMain() {
    }

    public static void main(String[] args) throws Exception {
        Path postgres = Path.of(args[0]);
        try (EmbeddedDatabase database = EmbeddedDatabase.start(postgres)) {
            long pid = Long.parseLong(Files.readAllLines(postgres.resolve("postmaster.pid")).get(0).trim());
            System.out.println("executable=" + ProcessHandle.of(pid).orElseThrow().info().command().orElseThrow());
        }
    }
}
