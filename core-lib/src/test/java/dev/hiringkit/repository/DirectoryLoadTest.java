package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory load checks its three files before it loads any, and tells its progress table by table. */
class DirectoryLoadTest {

    @TempDir
    Path dir;

    /** Every call a load made on its progress, in order. */
    private record Told(String what, Table table, long bytesRead, long rowsRead) {
    }

    private static final class Recording implements LoadProgress {
        final List<Told> told = new ArrayList<>();

        @Override
        public void update(long bytesRead, long totalBytes, long rowsRead) {
            told.add(new Told("update", null, bytesRead, rowsRead));
        }

        @Override
        public void started(Table table, String source, long totalBytes) {
            told.add(new Told("started", table, 0, 0));
        }

        @Override
        public void chunkCommitted(Table table, long bytesRead, long totalBytes, long rowsRead) {
            told.add(new Told("chunk", table, bytesRead, rowsRead));
        }
    }

    @Test
    void aDirectoryWithoutJobsCsvFailsBeforeLoadingAnything() throws IOException {
        Files.copy(RealData.dir().resolve("departments.csv"), dir.resolve("departments.csv"));
        Files.copy(RealData.dir().resolve("hired_employees.csv"), dir.resolve("hired_employees.csv"));
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource)
                    .archive(ArchiveStore.directory(dir.resolve("archive"))).build();
            kit.migrate();
            Recording progress = new Recording();
            HiringException e = assertThrows(HiringException.class, () -> kit.repository().loadDirectory(dir,
                    LoadOptions.builder().progress(progress).build()));
            assertEquals(HiringException.Code.SOURCE_NOT_FOUND, e.code());
            assertTrue(e.getMessage().contains("jobs.csv"), e.getMessage());
            assertEquals(List.of(), progress.told);
            assertEquals(0, kit.repository().count(Table.DEPARTMENTS));
            assertEquals(List.of(), kit.repository().loads(10));
        }
    }

    @Test
    void eachChunkNamesTheTableItWasLoadedInto() throws IOException {
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource)
                    .archive(ArchiveStore.directory(dir.resolve("archive"))).build();
            kit.migrate();
            Recording progress = new Recording();
            List<LoadResult> results = kit.repository().loadDirectory(RealData.dir(),
                    LoadOptions.builder().chunkSize(500).progress(progress).build());

            // Each table begins, then its chunks follow, naming it; the calls of update are the default's.
            Table current = null;
            for (Told told : progress.told) {
                switch (told.what()) {
                    case "started" -> current = told.table();
                    case "chunk" -> assertEquals(current, told.table(), progress.told.toString());
                    default -> throw new AssertionError("update told besides chunkCommitted: " + progress.told);
                }
            }
            assertEquals(List.of(Table.DEPARTMENTS, Table.JOBS, Table.HIRED_EMPLOYEES), progress.told.stream()
                    .filter(t -> t.what().equals("started")).map(Told::table).toList());
            for (LoadResult result : results) {
                List<Told> chunks = progress.told.stream()
                        .filter(t -> t.what().equals("chunk") && t.table() == result.table()).toList();
                Told last = chunks.get(chunks.size() - 1);
                assertEquals(result.rowsRead(), last.rowsRead(), result.table().toString());
                assertEquals(Files.size(RealData.dir().resolve(result.table().fileName())), last.bytesRead());
                assertEquals(LoadStatus.DONE, result.status());
            }
            // 1999 hired employees in chunks of 500.
            assertEquals(4, progress.told.stream()
                    .filter(t -> t.what().equals("chunk") && t.table() == Table.HIRED_EMPLOYEES).count());
        }
    }
}
