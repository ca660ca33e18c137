package dev.hiringkit.testing;

import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.s3.S3Archive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * Every kind of {@link ArchiveStore}, empty, for tests that must hold for each: use
 * {@code @MethodSource("dev.hiringkit.testing.TestStores#stores")} on a parameterised test.
 */
public final class TestStores {

    private TestStores() {
    }

    /** A new, empty directory store and a new, empty S3 store (on {@link TestS3}), named for test reports. */
    public static Stream<Named<ArchiveStore>> stores() {
        return Stream.of(
                Named.of("directory", ArchiveStore.directory(temporaryDirectory("hiring-archive"))),
                Named.of("s3", S3Archive.store(TestS3.client(), TestS3.newBucket(), "archive/")));
    }

    /** A new temporary directory, deleted with what it holds when the JVM exits (see {@link ExitCleanup}). */
    public static Path temporaryDirectory(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            ExitCleanup.deleteAtExit(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
