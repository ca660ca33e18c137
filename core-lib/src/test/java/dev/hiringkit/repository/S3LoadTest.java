package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestS3;
import dev.hiringkit.validation.ReasonCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Historical loads from S3 (S3Proxy in this JVM): the real files uploaded there load exactly as they do
 * from the local directory, rejects files go to an S3 archive, and an interrupted load resumes.
 */
class S3LoadTest {

    private static String bucket;
    private static RealDataLoadTest.Expected expected;

    @BeforeAll
    static void upload() throws IOException {
        bucket = TestS3.newBucket();
        TestS3.uploadFiles(RealData.dir(), bucket, "globant/");
        expected = RealDataLoadTest.expected(RealData.dir());
    }

    @Test
    void theRealFilesLoadFromS3AsFromTheLocalDirectory(@TempDir Path archive) throws Exception {
        String fromS3;
        List<LoadResult> results;
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db, S3Archive.store(TestS3.client(), bucket, "archive/"));
            results = kit.repository().loadDirectory(URI.create("s3://" + bucket + "/globant/"),
                    LoadOptions.defaults());
            fromS3 = RealDataLoadTest.fingerprint(db);

            assertEquals(List.of("s3://" + bucket + "/globant/departments.csv",
                    "s3://" + bucket + "/globant/jobs.csv", "s3://" + bucket + "/globant/hired_employees.csv"),
                    results.stream().map(LoadResult::source).toList());
            assertEquals(expected.departments(), results.get(0).inserted());
            assertEquals(expected.jobs(), results.get(1).inserted());
            LoadResult employees = results.get(2);
            assertEquals(expected.employeesInserted(), employees.inserted());
            assertEquals(expected.employeesRejected(), employees.rejected());
            assertEquals(expected.byCode(), employees.rejectedByCode());

            // The rejects file went to the S3 archive: a header and one line per refused record.
            String rejects = employees.rejectsFile().orElseThrow();
            String prefix = "s3://" + bucket + "/archive/";
            assertTrue(rejects.startsWith(prefix + "rejects/hired_employees/hired_employees-"), rejects);
            try (InputStream in = S3Archive.store(TestS3.client(), bucket, "archive/")
                    .open(rejects.substring(prefix.length()))) {
                assertEquals(expected.employeesRejected() + 1,
                        new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().count());
            }

            // One file, loaded again by its URI, changes nothing.
            LoadResult again = kit.repository().load(Table.JOBS, URI.create("s3://" + bucket + "/globant/jobs.csv"),
                    LoadOptions.defaults());
            assertEquals(0, again.inserted());
            assertEquals(expected.jobs(), again.rejectedByCode().get(ReasonCode.DUPLICATE_ID));
        }
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            List<LoadResult> local = kit(db, ArchiveStore.directory(archive)).repository()
                    .loadDirectory(RealData.dir(), LoadOptions.defaults());
            assertEquals(fromS3, RealDataLoadTest.fingerprint(db));
            assertEquals(local.stream().map(S3LoadTest::counts).toList(), results.stream().map(S3LoadTest::counts).toList());
        }
    }

    /** A load that fails after its first chunk, run again, resumes there and ends as one clean run. */
    @Test
    void anInterruptedLoadFromS3ResumesAfterItsLastChunk(@TempDir Path archive) throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db, ArchiveStore.directory(archive));
            URI dir = URI.create("s3://" + bucket + "/globant/");
            kit.repository().load(Table.DEPARTMENTS, dir.resolve("departments.csv"), LoadOptions.defaults());
            kit.repository().load(Table.JOBS, dir.resolve("jobs.csv"), LoadOptions.defaults());
            URI employees = dir.resolve("hired_employees.csv");

            assertThrows(IllegalStateException.class, () -> kit.repository().load(Table.HIRED_EMPLOYEES, employees,
                    chunksOf(500, rows -> {
                        throw new IllegalStateException("interrupted after " + rows + " rows");
                    })));
            assertEquals(LoadStatus.FAILED, kit.repository().loads(1).get(0).status());

            List<Long> resumedAt = new java.util.ArrayList<>();
            LoadResult resumed = kit.repository().load(Table.HIRED_EMPLOYEES, employees, chunksOf(500, resumedAt::add));
            assertEquals(List.of(1000L, 1500L, 1999L), resumedAt, "rows read after each chunk of the resumed load");
            assertEquals(LoadStatus.DONE, resumed.status());
            assertEquals(1999, resumed.rowsRead());
            assertEquals(expected.employeesInserted(), resumed.inserted());
            assertEquals(expected.byCode(), resumed.rejectedByCode());
            assertEquals(expected.employeesInserted(), kit.repository().count(Table.HIRED_EMPLOYEES));
        }
    }

    /** An object replaced since a load of it was interrupted is not resumed: the committed part differs. */
    @Test
    void anObjectChangedSinceAnInterruptedLoadIsRefused(@TempDir Path archive) throws Exception {
        String key = "changing/departments.csv";
        put(key, "1,Product Management\n2,Sales\n3,Research and Development\n");
        URI source = URI.create("s3://" + bucket + "/" + key);
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db, ArchiveStore.directory(archive));
            assertThrows(IllegalStateException.class, () -> kit.repository().load(Table.DEPARTMENTS, source,
                    chunksOf(1, rows -> {
                        throw new IllegalStateException("interrupted");
                    })));
            put(key, "1,Marketing\n2,Sales\n3,Research and Development\n");

            HiringException changed = assertThrows(HiringException.class,
                    () -> kit.repository().load(Table.DEPARTMENTS, source, LoadOptions.defaults()));
            assertEquals(HiringException.Code.SOURCE_CHANGED, changed.code());
            LoadResult restarted = kit.repository().load(Table.DEPARTMENTS, source,
                    LoadOptions.builder().restart(true).build());
            assertEquals(2, restarted.inserted());
            assertEquals(1, restarted.rejected());
        }
    }

    @Test
    void missingObjectsAndPrefixesAreSourceNotFound(@TempDir Path archive) throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringRepository repository = kit(db, ArchiveStore.directory(archive)).repository();
            HiringException object = assertThrows(HiringException.class, () -> repository.load(Table.JOBS,
                    URI.create("s3://" + bucket + "/globant/none.csv"), LoadOptions.defaults()));
            HiringException directory = assertThrows(HiringException.class, () -> repository.loadDirectory(
                    URI.create("s3://" + bucket + "/elsewhere/"), LoadOptions.defaults()));
            HiringException prefix = assertThrows(HiringException.class, () -> repository.load(Table.JOBS,
                    URI.create("s3://" + bucket + "/globant/"), LoadOptions.defaults()));

            assertEquals(HiringException.Code.SOURCE_NOT_FOUND, object.code());
            assertTrue(object.getMessage().contains("s3://" + bucket + "/globant/none.csv"), object.getMessage());
            assertEquals(HiringException.Code.SOURCE_NOT_FOUND, directory.code());
            assertTrue(directory.getMessage().contains("s3://" + bucket + "/elsewhere/departments.csv"),
                    directory.getMessage());
            assertEquals(HiringException.Code.INVALID_ARGUMENT, prefix.code());
            assertEquals(0, repository.loads(10).size(), "nothing was loaded");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static HiringKit kit(HikariDataSource db, ArchiveStore archive) {
        HiringKit kit = HiringKit.builder().dataSource(db).archive(archive).sourceReader(S3Archive.sourceReader(TestS3.client())).build();
        kit.migrate();
        return kit;
    }

    private static LoadOptions chunksOf(int chunkSize, Consumer<Long> rowsAfterEachChunk) {
        return LoadOptions.builder().chunkSize(chunkSize)
                .progress((bytes, total, rows) -> rowsAfterEachChunk.accept(rows)).build();
    }

    private static List<Long> counts(LoadResult r) {
        return List.of(r.rowsRead(), r.inserted(), r.rejected());
    }

    private static void put(String key, String content) {
        TestS3.client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
    }
}
