package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Violation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Batches of 1 to 1000 rows: the limits, several tables at once, all-or-nothing, concurrent writers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchInsertTest {

    private static final Instant AT = Instant.parse("2021-05-01T10:00:00Z");
    @TempDir
    static Path archive;
    private HikariDataSource dataSource;
    private HiringRepository repository;

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
        HiringKit kit = HiringKit.builder().dataSource(dataSource)
                .archive(dev.hiringkit.archive.ArchiveStore.directory(archive)).build();
        kit.migrate();
        repository = kit.repository();
        repository.insert(Batch.builder()
                .add(new Department(1, "Engineering"))
                .add(new Job(1, "Engineer"))
                .build());
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    private static List<HiredEmployee> employees(int firstId, int count) {
        return IntStream.range(firstId, firstId + count)
                .mapToObj(id -> new HiredEmployee(id, "Employee " + id, AT, 1, 1)).toList();
    }

    @Test
    void batchesOfOneAndOfOneThousandRows() {
        BatchResult one = repository.insert(Batch.ofHiredEmployees(employees(10, 1)));
        assertEquals(1, one.inserted());
        BatchResult thousand = repository.insert(Batch.ofHiredEmployees(employees(100_000, 1000)));
        assertEquals(1000, thousand.inserted());
        assertEquals(0, thousand.rejected());
        assertTrue(repository.hiredEmployee(100_999).isPresent());
    }

    @Test
    void anEmptyBatchOrOneOverTheLimitIsRefusedWhole() {
        long before = repository.count(Table.HIRED_EMPLOYEES);
        HiringException empty = assertThrows(HiringException.class,
                () -> repository.insert(Batch.ofHiredEmployees(List.of())));
        assertEquals(HiringException.Code.EMPTY_BATCH, empty.code());
        HiringException tooLarge = assertThrows(HiringException.class,
                () -> repository.insert(Batch.ofHiredEmployees(employees(200_000, 1001))));
        assertEquals(HiringException.Code.BATCH_TOO_LARGE, tooLarge.code());
        assertEquals(before, repository.count(Table.HIRED_EMPLOYEES));
        assertTrue(repository.hiredEmployee(200_000).isEmpty());
    }

    @Test
    void parentsAndChildrenInOneBatchAndInvalidRowsLogged() {
        BatchResult result = repository.insert(Batch.builder()
                .addAll(List.of(new Department(20, "Legal"), new Department(21, " ")))
                .add(new Job(20, "Lawyer"))
                .addAll(List.of(new HiredEmployee(300_001, "Ana", AT, 20, 20),
                        new HiredEmployee(300_002, "Bo", AT, 21, 20),
                        new HiredEmployee(300_003, null, null, 20, -1),
                        new HiredEmployee(300_001, "Ana again", AT, 20, 20)))
                .build());
        assertEquals(3, result.inserted());
        BatchResult.TableOutcome departments = result.tables().get(Table.DEPARTMENTS);
        assertEquals(1, departments.inserted());
        assertEquals(List.of(ReasonCode.MISSING_FIELD), codes(departments.rejected().get(0).reasons()));
        BatchResult.TableOutcome employees = result.tables().get(Table.HIRED_EMPLOYEES);
        assertEquals(1, employees.inserted());
        assertEquals(List.of(1, 2, 3), employees.rejected().stream().map(BatchResult.RejectedRow::index).toList());
        assertEquals(List.of(ReasonCode.UNKNOWN_DEPARTMENT), codes(employees.rejected().get(0).reasons()));
        assertEquals(List.of(ReasonCode.MISSING_FIELD, ReasonCode.MISSING_FIELD, ReasonCode.OUT_OF_RANGE),
                codes(employees.rejected().get(1).reasons()));
        assertEquals(List.of(ReasonCode.DUPLICATE_ID), codes(employees.rejected().get(2).reasons()));

        List<Rejection> logged = repository.rejections(result.batchId());
        assertEquals(4, logged.size());
        assertTrue(logged.stream().anyMatch(r -> r.table() == Table.HIRED_EMPLOYEES && r.recordNumber() == 3
                && r.rawRecord().equals("300003,,,20,-1")), logged.toString());
    }

    @Test
    void allOrNothingInsertsNothingAndLogsEveryRow() {
        List<HiredEmployee> rows = new ArrayList<>(employees(400_000, 5));
        rows.add(new HiredEmployee(400_005, "Bad", AT, 99, 1));
        BatchResult result = repository.insert(Batch.ofHiredEmployees(rows).asAllOrNothing());
        assertEquals(0, result.inserted());
        assertEquals(6, result.rejected());
        assertTrue(repository.hiredEmployee(400_000).isEmpty());
        List<Rejection> logged = repository.rejections(result.batchId());
        assertEquals(6, logged.size());
        assertEquals(5, logged.stream().filter(r -> codes(r.reasons()).equals(List.of(ReasonCode.BATCH_REFUSED))).count());
    }

    @Test
    void concurrentOverlappingBatchesLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<BatchResult>> results = new ArrayList<>();
            for (int writer = 0; writer < 8; writer++) {
                // Every writer sends ids 500000..500999: each id must end up inserted exactly once.
                results.add(pool.submit(() -> repository.insert(Batch.ofHiredEmployees(employees(500_000, 1000)))));
            }
            long inserted = 0;
            long duplicates = 0;
            for (Future<BatchResult> f : results) {
                BatchResult r = f.get();
                inserted += r.inserted();
                duplicates += r.tables().get(Table.HIRED_EMPLOYEES).rejected().stream()
                        .filter(x -> codes(x.reasons()).equals(List.of(ReasonCode.DUPLICATE_ID))).count();
            }
            assertEquals(1000, inserted);
            assertEquals(7000, duplicates);
            for (int id = 500_000; id < 501_000; id++) {
                assertTrue(repository.hiredEmployee(id).isPresent(), "id " + id);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchOfOneTableThatTheStoredRowsRefuseGetsEachRowsReasons() {
        repository.insert(Batch.ofHiredEmployees(employees(700_000, 1)));
        // One statement checks and inserts such a batch whole; refused, the rows' reasons come from the checks.
        BatchResult result = repository.insert(Batch.ofHiredEmployees(List.of(new HiredEmployee(700_001, "New", AT, 1, 1),
                new HiredEmployee(700_000, "Stored", AT, 1, 1), new HiredEmployee(700_002, "No job", AT, 1, 999_999),
                new HiredEmployee(700_003, "No department", AT, 999_999, 1))));
        assertEquals(1, result.inserted());
        List<BatchResult.RejectedRow> rejected = result.tables().get(Table.HIRED_EMPLOYEES).rejected();
        assertEquals(List.of(1, 2, 3), rejected.stream().map(BatchResult.RejectedRow::index).toList());
        assertEquals(List.of(ReasonCode.DUPLICATE_ID), codes(rejected.get(0).reasons()));
        assertEquals(List.of(ReasonCode.UNKNOWN_JOB), codes(rejected.get(1).reasons()));
        assertEquals(List.of(ReasonCode.UNKNOWN_DEPARTMENT), codes(rejected.get(2).reasons()));
        assertEquals(3, repository.rejections(result.batchId()).size());
        assertEquals("Employee 700000", repository.hiredEmployee(700_000).orElseThrow().name());
        assertTrue(repository.hiredEmployee(700_002).isEmpty());
    }

    @Test
    void anIdStoredByAnotherWriterDuringTheBatchIsReportedAsADuplicate() throws Exception {
        assertRaceReported(600_000, false);
    }

    @Test
    void anIdStoredByAnotherWriterDuringABatchOfTwoTablesIsReportedAsADuplicate() throws Exception {
        // Rows of two tables take the transaction that checks, then inserts: the race falls between the two.
        assertRaceReported(610_000, true);
    }

    @Test
    void anIdStoredByAnotherWriterDuringAKeyedBatchIsReportedAsADuplicate() throws Exception {
        // A keyed batch runs its one statement inside the key's transaction: the race rolls both back, and
        // the batch runs again, key and rows, reporting the id.
        assertRaceReported(620_000, false, "race-key-620000");
    }

    private void assertRaceReported(int firstId, boolean withDepartment) throws Exception {
        assertRaceReported(firstId, withDepartment, null);
    }

    private void assertRaceReported(int firstId, boolean withDepartment, String key) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection other = dataSource.getConnection()) {
            // Another writer holds id 600005, not yet committed: the batch does not see it when it checks
            // its ids, and its INSERT waits for the other transaction's end.
            other.setAutoCommit(false);
            try (Statement statement = other.createStatement()) {
                statement.executeUpdate("INSERT INTO hired_employees VALUES (" + (firstId + 5)
                        + ", 'First writer', now(), 1, 1)");
            }
            Batch.Builder rows = Batch.builder().addAll(employees(firstId, 10));
            if (withDepartment) {
                rows.add(new Department(firstId, "Racing"));
            }
            Batch sent = key == null ? rows.build() : rows.build().withIdempotencyKey(key);
            Future<BatchResult> batch = pool.submit(() -> repository.insert(sent));
            awaitLockWait(other);
            other.commit();
            BatchResult result = batch.get();
            assertEquals(withDepartment ? 10 : 9, result.inserted());
            List<BatchResult.RejectedRow> rejected = result.tables().get(Table.HIRED_EMPLOYEES).rejected();
            assertEquals(1, rejected.size());
            assertEquals(5, rejected.get(0).index());
            assertEquals(List.of(ReasonCode.DUPLICATE_ID), codes(rejected.get(0).reasons()));
            assertEquals("First writer", repository.hiredEmployee(firstId + 5).orElseThrow().name());
            assertEquals(1, repository.rejections(result.batchId()).size());
            if (key != null) {
                BatchResult again = repository.insert(sent);
                assertTrue(again.replayed());
                assertEquals(result.inserted(), again.inserted());
                assertEquals(result.batchId(), again.batchId());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until some session waits for a lock the other connection holds. */
    private static void awaitLockWait(Connection other) throws Exception {
        try (Statement statement = other.createStatement()) {
            for (int i = 0; i < 500; i++) {
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the batch never waited for the other writer");
    }

    private static List<ReasonCode> codes(List<Violation> reasons) {
        return reasons.stream().map(Violation::code).toList();
    }
}
