package dev.hiringkit.internal.embedded;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JVM of its own for the embedded server's tests: zonky remembers, per JVM, where it found its binaries,
 * so a start after they were deleted is only a first start in a new JVM; and a process killed while its
 * server runs must be another process. Starts the server of the directory given and prints the path of the
 * executable it runs; then stops it, or, with a second argument {@code hold}, keeps it until killed.
 */
public final class ServerInOwnJvm {

    private ServerInOwnJvm() {
    }

    public static void main(String[] args) throws Exception {
        Path postgres = Path.of(args[0]);
        try (EmbeddedDatabase database = EmbeddedDatabase.start(postgres)) {
            long pid = Long.parseLong(Files.readAllLines(postgres.resolve("postmaster.pid")).get(0).trim());
            System.out.println("executable=" + ProcessHandle.of(pid).orElseThrow().info().command().orElseThrow());
            System.out.flush();
            if (args.length > 1 && args[1].equals("hold")) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
