package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.Job;
import dev.hiringkit.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A load reads, checks and encodes on a thread of its own, one chunk ahead once the table is guarded:
 * a failure of that reading still reaches the caller, with only whole chunks committed, and the same
 * source loaded again resumes as one clean run would have ended, every rejection logged once.
 */
class ReadAheadLoadTest {

    private static final int RECORDS = 5000;
    private static final int CHUNK = 500;

    @TempDir
    Path archive;

    @Test
    void aSourceThatFailsWhileReadAheadKeepsWholeChunksAndResumesAsOneCleanRun() throws Exception {
        byte[] csv = csv();
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringRepository repository = kit(db).repository();
            LoadOptions options = LoadOptions.builder().chunkSize(CHUNK).build();

            // The source breaks after about 70% of its bytes, well past the chunk that made the load bulk.
            InputStream breaking = new FilterInputStream(new ByteArrayInputStream(csv, 0, csv.length * 7 / 10)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n < 0) {
                        throw new IOException("the connection to the source was reset");
                    }
                    return n;
                }
            };
            HiringException e = assertThrows(HiringException.class,
                    () -> repository.load(Table.HIRED_EMPLOYEES, "hired.csv", breaking, options));
            assertEquals(HiringException.Code.SOURCE_NOT_FOUND, e.code());
            assertTrue(e.getMessage().contains("the connection to the source was reset"), e.getMessage());
            long stored = BulkLoadGuardTest.count(db, "SELECT count(*) FROM hired_employees");
            long logged = BulkLoadGuardTest.count(db, "SELECT count(*) FROM rejections");
            assertTrue(stored > 0 && stored < RECORDS, "some chunks committed: " + stored);
            assertEquals(0, (stored + logged) % CHUNK, "only whole chunks: " + stored + " rows, " + logged + " rejected");
            BulkLoadGuardTest.assertKeysInPlace(db);

            LoadResult resumed = repository.load(Table.HIRED_EMPLOYEES, "hired.csv", new ByteArrayInputStream(csv),
                    options);
            assertEquals(RECORDS, resumed.rowsRead());
            assertEquals(RECORDS - RECORDS / 10, resumed.inserted());
            assertEquals(RECORDS / 10, resumed.rejected());
            assertEquals(RECORDS - RECORDS / 10, BulkLoadGuardTest.count(db, "SELECT count(*) FROM hired_employees"));
            assertEquals(RECORDS / 10, BulkLoadGuardTest.count(db, "SELECT count(*) FROM rejections"));
            BulkLoadGuardTest.assertKeysInPlace(db);
            // The rejects file, written beside the key builds, holds every rejected record once.
            Path rejects = Path.of(resumed.rejectsFile().orElseThrow());
            assertEquals(RECORDS / 10 + 1, Files.readAllLines(rejects).size(), "a header and one line each");
        }
    }

    @Test
    void aPoolOfTwoConnectionsStillEndsTheLoadWithItsKeysAndRejectsFile() throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            kit(db);
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(db.getJdbcUrl());
            config.setUsername(db.getUsername());
            config.setPassword(db.getPassword());
            // The load's own connection and one more, which the reading thread and the two jobs beside the
            // key builds take turns with: one that finds none within a second is done on the load's own.
            config.setMaximumPoolSize(2);
            config.setConnectionTimeout(1000);
            try (HikariDataSource small = new HikariDataSource(config)) {
                HiringRepository repository = HiringKit.builder().dataSource(small)
                        .archive(ArchiveStore.directory(archive)).build().repository();
                LoadResult result = repository.load(Table.HIRED_EMPLOYEES, "hired.csv",
                        new ByteArrayInputStream(csv()), LoadOptions.builder().chunkSize(CHUNK).build());
                assertEquals(RECORDS / 10, result.rejected());
                BulkLoadGuardTest.assertKeysInPlace(db);
                assertEquals(RECORDS / 10 + 1, Files.readAllLines(Path.of(result.rejectsFile().orElseThrow())).size());
            }
        }
    }

    private HiringKit kit(HikariDataSource db) {
        HiringKit kit = HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(archive)).build();
        kit.migrate();
        kit.repository().insert(Batch.builder().add(new Department(1, "Engineering")).add(new Job(1, "Engineer")).build());
        return kit;
    }

    /** {@value #RECORDS} records; every tenth names a department that does not exist. */
    private static byte[] csv() {
        StringBuilder csv = new StringBuilder();
        for (int id = 1; id <= RECORDS; id++) {
            csv.append(id).append(",Employee ").append(id).append(",2021-05-01T10:00:00Z,")
                    .append(id % 10 == 0 ? 7 : 1).append(",1\n");
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }
}
