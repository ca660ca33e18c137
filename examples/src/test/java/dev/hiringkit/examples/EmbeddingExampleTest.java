package dev.hiringkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the embedding example's work against a real database and the challenge's real files. */
class EmbeddingExampleTest {

    @Test
    void theExampleLoadsTheRealFilesABatchAndBacksUp(@TempDir Path archive) {
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
            kit.migrate();
            EmbeddingExample.run(kit, RealData.dir());

            assertEquals(13, kit.repository().count(Table.DEPARTMENTS));
            assertEquals(184, kit.repository().count(Table.JOBS));
            // 1929 valid rows of the real file, plus the one valid row of the batch.
            assertEquals(1930, kit.repository().count(Table.HIRED_EMPLOYEES));
            assertTrue(kit.repository().hiredEmployee(100_001).isPresent());
            assertTrue(kit.repository().hiredEmployee(100_002).isEmpty());
            // and a complete backup of the three tables in the archive.
            assertEquals(List.of(13L, 184L, 1930L), kit.archiver().list().get(0).tables().stream()
                    .map(f -> f.rows()).toList());
        }
    }
}
