package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.Job;
import dev.hiringkit.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries that never double: a request sent again with its idempotency key gets its first result back and
 * changes nothing, from any process on the database (a second {@link HiringKit} on the same database here).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyKeyTest {

    @TempDir
    static Path archive;
    private HikariDataSource dataSource;
    private HiringKit kit;
    /** Another process on the same database, as far as the keys are concerned. */
    private HiringKit other;

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
        kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
        kit.migrate();
        other = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    private static Batch departments(int from, int count) {
        Batch.Builder batch = Batch.builder();
        for (int id = from; id < from + count; id++) {
            batch.add(new Department(id, "Department " + id));
        }
        return batch.build();
    }

    @Test
    void aRetryOfACommittedBatchReturnsItsResultAndChangesNothing() {
        Batch.Builder builder = Batch.builder().madeBy("client:etl");
        for (int id = 1000; id < 2000; id++) {
            builder.add(new Department(id, "Department " + id));
        }
        Batch batch = builder
                .addRecord(Table.JOBS, List.of("x", "Broken"))
                .build().withIdempotencyKey("batch-1");
        BatchResult first = kit.repository().insert(batch);
        assertFalse(first.replayed());
        assertEquals(1000, first.inserted());
        assertEquals(1, first.rejected());
        long rejections = count("SELECT count(*) FROM rejections");

        // The answer was lost; the client sends the same batch again, to another process.
        BatchResult retry = other.repository().insert(batch);
        assertTrue(retry.replayed());
        assertEquals(first.batchId(), retry.batchId());
        assertEquals(first.tables(), retry.tables());
        assertEquals(rejections, count("SELECT count(*) FROM rejections"), "a replay logs no rejection");
        assertEquals(1000, count("SELECT count(*) FROM departments WHERE id BETWEEN 1000 AND 1999"));

        // Without the key the same batch would be 1000 DUPLICATE_ID: the key is what makes the retry safe.
        BatchResult unkeyed = kit.repository().insert(departments(1000, 1000));
        assertEquals(1000, unkeyed.rejected());
    }

    @Test
    void theSameKeyWithOtherRowsIsRefused() {
        kit.repository().insert(departments(3000, 2).withIdempotencyKey("reused"));
        HiringException e = assertThrows(HiringException.class,
                () -> kit.repository().insert(departments(3000, 3).withIdempotencyKey("reused")));
        assertEquals(HiringException.Code.IDEMPOTENCY_KEY_REUSED, e.code());
        assertEquals(0, count("SELECT count(*) FROM departments WHERE id = 3002"));
        // All-or-nothing is another request too.
        assertEquals(HiringException.Code.IDEMPOTENCY_KEY_REUSED, assertThrows(HiringException.class,
                () -> kit.repository().insert(departments(3000, 2).asAllOrNothing().withIdempotencyKey("reused")))
                .code());
    }

    @Test
    void aTypedRowAndTheSameFieldsAsTextAreTheSameRequest() {
        BatchResult typed = kit.repository().insert(Batch.builder().add(new Job(7000, "Welder")).build()
                .withIdempotencyKey("typed-or-text"));
        BatchResult text = kit.repository().insert(Batch.builder().addRecord(Table.JOBS, List.of("7000", "Welder"))
                .build().withIdempotencyKey("typed-or-text"));
        assertTrue(text.replayed());
        assertEquals(typed.batchId(), text.batchId());
    }

    @Test
    void concurrentRequestsWithOneKeyRunOnce() throws Exception {
        int threads = 8;
        Batch batch = departments(4000, 500).withIdempotencyKey("concurrent");
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<BatchResult>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                HiringRepository repository = (i % 2 == 0 ? kit : other).repository();
                results.add(pool.submit(() -> {
                    start.await();
                    return repository.insert(batch);
                }));
            }
            List<BatchResult> answers = new ArrayList<>();
            for (Future<BatchResult> result : results) {
                answers.add(result.get());
            }
            assertEquals(1, answers.stream().filter(r -> !r.replayed()).count(), "exactly one run");
            assertEquals(1, answers.stream().map(BatchResult::batchId).distinct().count());
            answers.forEach(r -> assertEquals(500, r.inserted()));
            answers.forEach(r -> assertEquals(0, r.rejected()));
            assertEquals(500, count("SELECT count(*) FROM departments WHERE id BETWEEN 4000 AND 4499"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aKeyBelongsToItsSender() {
        BatchResult alice = kit.repository().insert(Batch.builder().madeBy("user:alice").add(new Job(7100, "A"))
                .build().withIdempotencyKey("shared-key"));
        BatchResult bob = kit.repository().insert(Batch.builder().madeBy("user:bob").add(new Job(7101, "B"))
                .build().withIdempotencyKey("shared-key"));
        BatchResult anonymous = kit.repository().insert(Batch.builder().add(new Job(7102, "C")).build()
                .withIdempotencyKey("shared-key"));
        assertFalse(bob.replayed());
        assertFalse(anonymous.replayed());
        assertEquals(3, Set.of(alice.batchId(), bob.batchId(), anonymous.batchId()).size());
        assertEquals(3, count("SELECT count(*) FROM jobs WHERE id BETWEEN 7100 AND 7102"));
        assertEquals(Set.of("user:alice", "user:bob", ""), strings(
                "SELECT scope FROM idempotency_keys WHERE idempotency_key = 'shared-key'"));
    }

    @Test
    void expiredKeysAreForgottenThenPurged() throws Exception {
        HiringKit brief = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive))
                .idempotencyRetention(Duration.ofMillis(50)).build();
        brief.repository().insert(departments(5000, 1).withIdempotencyKey("brief"));
        Thread.sleep(200);
        // Expired: the key is free again, even for another request.
        BatchResult again = brief.repository().insert(departments(5001, 1).withIdempotencyKey("brief"));
        assertFalse(again.replayed());
        assertEquals(1, again.inserted());

        brief.repository().insert(departments(5002, 1).withIdempotencyKey("brief-2"));
        Thread.sleep(200);
        // A process that starts purges on its first keyed write, then at most once a minute.
        HiringKit fresh = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
        fresh.repository().insert(departments(5003, 1).withIdempotencyKey("purger"));
        assertEquals(0, count("SELECT count(*) FROM idempotency_keys WHERE idempotency_key IN ('brief', 'brief-2')"));
        assertEquals(1, count("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'purger'"
                + " AND expires_at > now() + interval '23 hours'"));
    }

    @Test
    void badKeysAreRefused() {
        assertEquals(HiringException.Code.INVALID_ARGUMENT, assertThrows(HiringException.class,
                () -> departments(1, 1).withIdempotencyKey("")).code());
        assertEquals(HiringException.Code.INVALID_ARGUMENT, assertThrows(HiringException.class,
                () -> departments(1, 1).withIdempotencyKey("x".repeat(256))).code());
        assertEquals(HiringException.Code.INVALID_ARGUMENT, assertThrows(HiringException.class,
                () -> departments(1, 1).withIdempotencyKey("caf\u00e9")).code());
        assertEquals(HiringException.Code.INVALID_ARGUMENT, assertThrows(HiringException.class,
                () -> LoadOptions.builder().idempotencyKey("tab\there")).code());
    }

    @Test
    void aRetriedLoadReturnsTheOriginalLoad() {
        LoadOptions options = LoadOptions.builder().madeBy("user:alice").idempotencyKey("load-1").build();
        String csv = "8000,Painter\n8001,Plumber\nbad,Broken\n";
        LoadResult first = kit.repository().load(Table.JOBS, "keyed-jobs.csv", csv(csv), options);
        assertFalse(first.replayed());
        assertEquals(2, first.inserted());
        long loads = count("SELECT count(*) FROM loads");
        long rejections = count("SELECT count(*) FROM rejections");

        LoadResult retry = other.repository().load(Table.JOBS, "keyed-jobs.csv", csv(csv), options);
        assertTrue(retry.replayed());
        assertEquals(first.loadId(), retry.loadId());
        assertEquals(LoadStatus.DONE, retry.status());
        assertEquals(2, retry.inserted());
        assertEquals(1, retry.rejected());
        assertEquals(loads, count("SELECT count(*) FROM loads"), "no second load");
        assertEquals(rejections, count("SELECT count(*) FROM rejections"));

        HiringException e = assertThrows(HiringException.class, () -> kit.repository().load(Table.JOBS,
                "other-jobs.csv", csv(csv), options));
        assertEquals(HiringException.Code.IDEMPOTENCY_KEY_REUSED, e.code());
    }

    @Test
    void aLoadSentAgainWhileItRunsAnswersTheRunningLoad() throws Exception {
        // The first load's input gives 20,000 records (more than the reader's buffer holds, so chunks commit),
        // then holds until the retry has its answer.
        java.util.concurrent.CountDownLatch retried = new java.util.concurrent.CountDownLatch(1);
        StringBuilder records = new StringBuilder();
        for (int id = 100_000; id < 120_000; id++) {
            records.append(id).append(",Job ").append(id).append('\n');
        }
        byte[] firstChunk = records.toString().getBytes(StandardCharsets.UTF_8);
        java.io.InputStream held = new java.io.SequenceInputStream(new ByteArrayInputStream(firstChunk),
                new java.io.InputStream() {
                    @Override
                    public int read() throws java.io.IOException {
                        try {
                            retried.await();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                        return -1;
                    }
                });
        LoadOptions options = LoadOptions.builder().idempotencyKey("running-1").chunkSize(1000).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<LoadResult> first = pool.submit(() -> kit.repository().load(Table.JOBS, "running.csv", held, options));
            UUID running = waitForRunningLoad("running.csv", first);
            // Another process: it waits for the table (10 s), then answers the running load, not a second one.
            LoadResult retry = other.repository().load(Table.JOBS, "running.csv", csv(records.toString()), options);
            assertTrue(retry.replayed());
            assertEquals(running, retry.loadId());
            assertEquals(LoadStatus.RUNNING, retry.status());
            retried.countDown();
            LoadResult done = first.get();
            assertEquals(running, done.loadId());
            assertEquals(20_000, done.inserted());
            assertEquals(1, count("SELECT count(*) FROM loads WHERE source = 'running.csv'"));
        } finally {
            retried.countDown();
            pool.shutdownNow();
        }
    }

    private UUID waitForRunningLoad(String source, Future<LoadResult> load) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (load.isDone()) {
                throw new AssertionError("the load ended before it was asked again: " + load.get());
            }
            List<String> ids = new ArrayList<>(strings("SELECT id::text FROM loads WHERE source = '" + source
                    + "' AND status = 'RUNNING' AND records_done > 0"));
            if (!ids.isEmpty()) {
                return UUID.fromString(ids.get(0));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the load of " + source + " never ran");
    }

    @Test
    void aRetriedDirectoryLoadReturnsItsThreeLoads(@TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("departments.csv"), "9000,Dir\n");
        java.nio.file.Files.writeString(dir.resolve("jobs.csv"), "9000,Dir job\n");
        java.nio.file.Files.writeString(dir.resolve("hired_employees.csv"), "9000,Ann,2021-01-01T00:00:00Z,9000,9000\n");
        LoadOptions options = LoadOptions.builder().idempotencyKey("directory-1").build();
        List<LoadResult> first = kit.repository().loadDirectory(dir, options);
        List<LoadResult> retry = other.repository().loadDirectory(dir, options);
        assertEquals(first.stream().map(LoadResult::loadId).toList(), retry.stream().map(LoadResult::loadId).toList());
        assertTrue(retry.stream().allMatch(LoadResult::replayed));
        assertEquals(3, retry.stream().mapToLong(LoadResult::inserted).sum());
        assertTrue(retry.stream().allMatch(l -> l.rejected() == 0), "no DUPLICATE_ID");
    }

    @Test
    void aRetriedBackupReturnsTheSameBackupAndARetriedRestoreRestoresOnce() {
        kit.repository().insert(departments(9500, 3));
        IdempotencyKey backupKey = IdempotencyKey.of("backup-1", "user:admin");
        Backup backup = kit.archiver().backup(backupKey, Table.DEPARTMENTS);
        assertFalse(backup.replayed());
        Backup retry = other.archiver().backup(backupKey, Table.DEPARTMENTS);
        assertTrue(retry.replayed());
        assertEquals(backup.id(), retry.id());
        assertEquals(1, kit.archiver().list().stream().filter(b -> b.id().equals(backup.id())).count());
        assertEquals(HiringException.Code.IDEMPOTENCY_KEY_REUSED, assertThrows(HiringException.class,
                () -> kit.archiver().backup(backupKey, Table.JOBS)).code());

        IdempotencyKey restoreKey = IdempotencyKey.of("restore-1", "user:admin");
        RestoreResult restored = kit.archiver().restore(restoreKey, backup.id(), RestoreMode.APPEND, Table.DEPARTMENTS);
        assertFalse(restored.replayed());
        // A row written after the restore: a second restore would count it as a skip; a replay does not run.
        kit.repository().insert(departments(9600, 1));
        RestoreResult again = other.archiver().restore(restoreKey, backup.id(), RestoreMode.APPEND, Table.DEPARTMENTS);
        assertTrue(again.replayed());
        assertEquals(restored.tables(), again.tables());
        assertEquals(HiringException.Code.IDEMPOTENCY_KEY_REUSED, assertThrows(HiringException.class,
                () -> kit.archiver().restore(restoreKey, backup.id(), RestoreMode.REPLACE, Table.DEPARTMENTS)).code());
    }

    private static ByteArrayInputStream csv(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private long count(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Set<String> strings(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            Set<String> out = new java.util.HashSet<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
