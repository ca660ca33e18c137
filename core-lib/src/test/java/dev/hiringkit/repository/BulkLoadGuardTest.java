package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.internal.db.SchemaKeys;
import dev.hiringkit.internal.db.TableLease;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.validation.ReasonCode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A load that drops the primary key of hired_employees keeps every other writer out until the key is
 * back: a batch sent meanwhile is refused whole as {@code TABLE_BUSY}, and sent again after the load it
 * is stored; no row is lost, no id stored twice. A guard a dead load left is cleared by the next batch
 * once the load's lease has expired, never while a load holds it.
 */
class BulkLoadGuardTest {

    private static final Instant AT = Instant.parse("2021-05-01T10:00:00Z");
    private static final int RECORDS = 10_000;
    private static final int CHUNK = 1000;

    @TempDir
    Path archive;

    @Test
    void aBatchDuringAKeylessLoadIsRefusedAsBusyAndStoredWhenSentAgain() throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringRepository repository = kit(db).repository();
            // Before the guard (a source of unknown size goes bulk from its second chunk): a batch with an id
            // the load carries later, which the load must then refuse as a duplicate.
            Batch beforeGuard = Batch.ofHiredEmployees(List.of(employee(20_001), employee(5000)));
            Batch plain = Batch.ofHiredEmployees(List.of(employee(20_002), employee(8000)));
            Batch keyed = Batch.ofHiredEmployees(List.of(employee(20_003), employee(9000))).withIdempotencyKey("k-1");
            List<String> seen = new ArrayList<>();
            LoadProgress progress = new LoadProgress() {
                int chunks;

                @Override
                public void update(long bytesRead, long totalBytes, long rowsRead) {
                }

                @Override
                public void chunkCommitted(Table table, long bytesRead, long totalBytes, long rowsRead) {
                    chunks++;
                    if (chunks == 1) {
                        assertEquals(2, repository.insert(beforeGuard).inserted());
                    } else if (chunks == 3) {
                        try {
                            seen.add("primary keys: " + count(db, "SELECT count(*) FROM pg_constraint"
                                    + " WHERE conrelid = 'hired_employees'::regclass AND contype = 'p'"));
                        } catch (SQLException e) {
                            throw new AssertionError(e);
                        }
                        for (Batch batch : List.of(plain, keyed)) {
                            HiringException busy = assertThrows(HiringException.class, () -> repository.insert(batch));
                            seen.add(busy.code().name());
                        }
                        // Readers are not refused: a lookup by id scans the table meanwhile.
                        seen.add("lookup: " + repository.hiredEmployee(500).isPresent());
                    }
                }
            };
            LoadResult load = repository.load(Table.HIRED_EMPLOYEES, "employees.csv",
                    new ByteArrayInputStream(csv().getBytes(StandardCharsets.UTF_8)),
                    LoadOptions.builder().chunkSize(CHUNK).progress(progress).build());

            assertEquals(List.of("primary keys: 0", "TABLE_BUSY", "TABLE_BUSY", "lookup: true"), seen);
            assertEquals(RECORDS - 1, load.inserted());
            assertEquals(1L, load.rejectedByCode().get(ReasonCode.DUPLICATE_ID), "id 5000, stored by the first batch");

            BatchResult plainAgain = repository.insert(plain);
            BatchResult keyedAgain = repository.insert(keyed);
            for (BatchResult again : List.of(plainAgain, keyedAgain)) {
                assertEquals(1, again.inserted());
                assertEquals(ReasonCode.DUPLICATE_ID, again.tables().get(Table.HIRED_EMPLOYEES).rejected().get(0)
                        .reasons().get(0).code(), "the id the load stored meanwhile");
            }
            assertEquals(RECORDS + 3, count(db, "SELECT count(*) FROM hired_employees"), "no row lost");
            assertEquals(RECORDS + 3, count(db, "SELECT count(DISTINCT id) FROM hired_employees"), "no id twice");
            assertKeysInPlace(db);
        }
    }

    @Test
    void aGuardLeftByADeadLoadIsClearedByTheNextBatchOnceItsLeaseIsGone() throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringRepository repository = kit(db).repository();
            repository.insert(Batch.ofHiredEmployees(List.of(employee(1))));
            SchemaKeys keys = new SchemaKeys();
            // A load alive: it holds the lease, so its guard stays and the batch is busy.
            try (TableLease lease = TableLease.acquire(db, Table.HIRED_EMPLOYEES, Duration.ofSeconds(1));
                    Connection c = db.getConnection()) {
                keys.dropForBulkLoad(c, UUID.randomUUID(), true);
                HiringException busy = assertThrows(HiringException.class,
                        () -> repository.insert(Batch.ofHiredEmployees(List.of(employee(2)))));
                assertEquals(HiringException.Code.TABLE_BUSY, busy.code());
            }
            // Its lease given back (a dead load's expires), the guard is a leftover: the batch puts the keys back.
            BatchResult stored = repository.insert(Batch.ofHiredEmployees(List.of(employee(2), employee(1))));
            assertEquals(1, stored.inserted());
            assertEquals(1, stored.rejected(), "id 1 is still a duplicate");
            assertKeysInPlace(db);
        }
    }

    @Test
    void theIndexesALoadBuiltBeforeItDiedAreTakenOverAndTheKeyAttached() throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = kit(db);
            kit.repository().insert(Batch.ofHiredEmployees(List.of(employee(1), employee(2))));
            SchemaKeys keys = new SchemaKeys();
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                // A load without its keys that died once it had built the primary key's index, not yet attached.
                keys.dropForBulkLoad(c, UUID.randomUUID(), true);
                s.execute("CREATE UNIQUE INDEX hired_employees_pkey ON hired_employees (id)");
                // A resumed load drops that index too: it would be kept up row by row.
                keys.dropForBulkLoad(c, UUID.randomUUID(), true);
                assertEquals(0, count(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'hired_employees_pkey'"));
                // Its end builds both indexes side by side, then attaches the key and validates the foreign keys.
                keys.restoreAfterBulkLoad(db, c);
                assertKeysInPlace(db);

                // Killed between the index builds and the transaction that attaches them: a migration attaches it.
                keys.dropForBulkLoad(c, UUID.randomUUID(), true);
                s.execute("CREATE UNIQUE INDEX hired_employees_pkey ON hired_employees (id)");
            }
            kit.migrate();
            assertKeysInPlace(db);
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                SQLException duplicate = assertThrows(SQLException.class, () -> s.execute("INSERT INTO hired_employees"
                        + " VALUES (1, 'Again', '2021-05-01T10:00:00Z', 1, 1)"));
                assertEquals("23505", duplicate.getSQLState(), "the attached key enforces unique ids");
            }
        }
    }

    private HiringKit kit(HikariDataSource db) {
        HiringKit kit = HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(archive)).build();
        kit.migrate();
        kit.repository().insert(Batch.builder().add(new Department(1, "Engineering")).add(new Job(1, "Engineer")).build());
        return kit;
    }

    private static HiredEmployee employee(int id) {
        return new HiredEmployee(id, "Employee " + id, AT, 1, 1);
    }

    private static String csv() {
        StringBuilder csv = new StringBuilder();
        for (int id = 1; id <= RECORDS; id++) {
            csv.append(id).append(",Employee ").append(id).append(",2021-05-01T10:00:00Z,1,1\n");
        }
        return csv.toString();
    }

    static void assertKeysInPlace(HikariDataSource db) throws SQLException {
        assertEquals(1, count(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                + " AND contype = 'p'"), "the primary key is back");
        assertEquals(2, count(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                + " AND contype = 'f' AND convalidated"));
        assertEquals(1, count(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'hired_employees_datetime_idx'"));
        assertFalse(count(db, "SELECT count(*) FROM pg_trigger WHERE tgname = 'hired_employees_bulk_load_guard'") > 0,
                "the guard is gone");
        assertTrue(count(db, "SELECT count(*) FROM hired_employees") > 0);
    }

    static long count(HikariDataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
