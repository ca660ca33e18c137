package dev.hiringkit.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.internal.archive.AvroTables;
import dev.hiringkit.internal.archive.BackupManifest;
import dev.hiringkit.internal.db.TableLease;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestS3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backs the real data up and restores it, and breaks backups in every way the archiver must notice:
 * each failure leaves the tables exactly as they were. Runs against a directory and against S3.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"directory", "s3"})
class ArchiverTest {

    @Parameter
    String storeKind;

    @TempDir
    Path archiveDir;

    private HikariDataSource dataSource;
    private ArchiveStore store;
    private HiringKit kit;

    @BeforeEach
    void loadRealData() {
        dataSource = TestDatabase.newDatabase();
        store = storeKind.equals("s3") ? S3Archive.store(TestS3.client(), TestS3.newBucket(), "archive/")
                : ArchiveStore.directory(archiveDir);
        kit = kit(dataSource, store);
        kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private static HiringKit kit(HikariDataSource dataSource, ArchiveStore store) {
        HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(store).build();
        kit.migrate();
        return kit;
    }

    // ---- round trips ----------------------------------------------------------------------------

    @Test
    void backupThenEmptyTablesThenRestoreGivesTheSameRows() throws Exception {
        Map<Table, List<String>> before = dump(dataSource);
        Backup backup = kit.archiver().backup();

        assertEquals(List.of(Table.DEPARTMENTS, Table.JOBS, Table.HIRED_EMPLOYEES),
                backup.tables().stream().map(Backup.TableFile::table).toList());
        for (Backup.TableFile file : backup.tables()) {
            assertEquals(before.get(file.table()).size(), file.rows(), file.table().sqlName());
            byte[] bytes = read(store, file.key());
            assertEquals(file.bytes(), bytes.length);
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), file.sha256());
            assertEquals("backups/" + backup.id() + "/" + file.table().sqlName() + ".avro", file.key());
        }
        assertEquals(List.of(backup), kit.archiver().list());

        execute(dataSource, "TRUNCATE hired_employees, jobs, departments");
        RestoreResult result = kit.archiver().restore(Archiver.LATEST, RestoreMode.REPLACE);

        assertEquals(before, dump(dataSource));
        assertEquals(backup.id(), result.backupId());
        for (RestoreResult.TableRestore t : result.tables()) {
            assertEquals(before.get(t.table()).size(), t.inserted());
            assertEquals(0, t.rowsBefore());
        }
        assertKeysInPlace(dataSource);
    }

    @Test
    void replaceMakesTheTableExactlyTheBackupAndLeavesOtherTablesAlone() {
        Map<Table, List<String>> before = dump(dataSource);
        Backup backup = kit.archiver().backup(Table.JOBS, Table.DEPARTMENTS);
        assertEquals(List.of(Table.DEPARTMENTS, Table.JOBS), backup.tables().stream().map(Backup.TableFile::table).toList());

        kit.repository().insert(Batch.ofDepartments(List.of(new Department(9001, "Added after the backup"))));
        execute(dataSource, "UPDATE jobs SET job = 'Renamed' WHERE id = 1");
        RestoreResult result = kit.archiver().restore(backup.id(), RestoreMode.REPLACE, Table.DEPARTMENTS, Table.JOBS);

        assertEquals(before, dump(dataSource));
        RestoreResult.TableRestore departments = result.tables().get(0);
        assertEquals(before.get(Table.DEPARTMENTS).size() + 1, departments.rowsBefore());
        assertEquals(departments.rowsBefore(), departments.removed());
        assertKeysInPlace(dataSource);
    }

    @Test
    void appendAddsTheMissingRowsAndReportsTheSkippedOnes() {
        Map<Table, List<String>> before = dump(dataSource);
        Backup backup = kit.archiver().backup();
        execute(dataSource, "DELETE FROM hired_employees WHERE id > 100");
        execute(dataSource, "UPDATE hired_employees SET name = 'Kept as it is' WHERE id = 1");
        long kept = count(dataSource, "hired_employees");

        RestoreResult result = kit.archiver().restore(backup.id(), RestoreMode.APPEND, Table.HIRED_EMPLOYEES);

        RestoreResult.TableRestore hires = result.tables().get(0);
        assertEquals(before.get(Table.HIRED_EMPLOYEES).size(), hires.backupRows());
        assertEquals(kept, hires.rowsBefore());
        assertEquals(kept, hires.skipped());
        assertEquals(hires.backupRows() - kept, hires.inserted());
        assertEquals(queryInts(dataSource, "SELECT id FROM hired_employees WHERE id <= 100 ORDER BY id"), hires.skippedIds());
        assertEquals("Kept as it is", queryStrings(dataSource, "SELECT name FROM hired_employees WHERE id = 1").get(0));
        assertEquals(before.get(Table.HIRED_EMPLOYEES).size(), count(dataSource, "hired_employees"));
        assertKeysInPlace(dataSource);
    }

    @Test
    void aBackupIsOneSnapshotWhileRowsArriveDuringIt() throws Exception {
        // Each writer transaction adds a department and a hire in it: a backup that read departments
        // and hires at different moments would hold hires whose department it lacks.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger committed = new AtomicInteger();
        Thread writer = new Thread(() -> {
            int id = 100_000;
            while (!stop.get()) {
                id++;
                kit.repository().insert(Batch.builder()
                        .add(new Department(id, "Dept " + id))
                        .add(new HiredEmployee(id, "Hire " + id, Instant.parse("2021-05-01T00:00:00Z"), id, 1))
                        .allOrNothing(true)
                        .build());
                committed.incrementAndGet();
            }
        });
        writer.start();
        List<Backup> backups = new ArrayList<>();
        try {
            while (committed.get() < 5) {
                Thread.sleep(5);
            }
            for (int i = 0; i < 5; i++) {
                backups.add(kit.archiver().backup());
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertTrue(committed.get() > 5, "rows kept arriving during the backups");
        for (Backup backup : backups) {
            try (HikariDataSource fresh = TestDatabase.newDatabase()) {
                HiringKit other = kit(fresh, store);
                other.archiver().restore(backup.id(), RestoreMode.REPLACE);
                assertEquals(count(fresh, "departments") - 12, count(fresh, "hired_employees WHERE id > 100000"),
                        "each added department came with its hire, in backup " + backup.id());
            }
        }
    }

    @Test
    void aBackupThatWaitedForARestoreSeesTheRestoredRows() throws Exception {
        long hires = count(dataSource, "hired_employees");
        try (Connection restore = dataSource.getConnection(); Statement s = restore.createStatement()) {
            // What a REPLACE does in its transaction: the tables locked, emptied and filled again.
            restore.setAutoCommit(false);
            s.execute("LOCK TABLE departments, jobs, hired_employees IN ACCESS EXCLUSIVE MODE");
            s.execute("CREATE TEMP TABLE kept ON COMMIT DROP AS SELECT * FROM hired_employees");
            s.execute("TRUNCATE hired_employees");
            s.execute("INSERT INTO hired_employees SELECT * FROM kept");
            CompletableFuture<Backup> backup = CompletableFuture.supplyAsync(() -> kit.archiver().backup());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (count(dataSource, "pg_locks WHERE NOT granted") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            restore.commit();
            // Had its snapshot been taken before the wait, the truncated table would read as empty.
            assertEquals(hires, backup.get().table(Table.HIRED_EMPLOYEES).orElseThrow().rows());
        }
    }

    @Test
    void standardAvroReadersReadTheFiles() throws Exception {
        Backup backup = kit.archiver().backup(Table.HIRED_EMPLOYEES);
        Backup.TableFile file = backup.table(Table.HIRED_EMPLOYEES).orElseThrow();
        List<String> fromAvro = new ArrayList<>();
        try (InputStream in = store.open(file.key());
                DataFileStream<GenericRecord> avro = new DataFileStream<>(in, new GenericDatumReader<>())) {
            Schema schema = avro.getSchema();
            assertEquals("dev.hiringkit.backup.HiredEmployee", schema.getFullName());
            assertEquals("timestamp-micros", schema.getField("datetime").schema().getLogicalType().getName());
            assertEquals("zstandard", avro.getMetaString("avro.codec"));
            for (GenericRecord r : avro) {
                Instant datetime = Instant.EPOCH.plus((Long) r.get("datetime"), ChronoUnit.MICROS);
                fromAvro.add(r.get("id") + "," + r.get("name") + "," + datetime + "," + r.get("department_id") + ","
                        + r.get("job_id"));
            }
        }
        fromAvro.sort(null);
        List<String> fromDatabase = queryStrings(dataSource, "SELECT id || ',' || name || ',' || to_char(datetime AT TIME ZONE"
                + " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ',' || department_id || ',' || job_id FROM hired_employees");
        fromDatabase.sort(null);
        assertEquals(fromDatabase, fromAvro);
    }

    // ---- faults: each leaves the tables as they were ---------------------------------------------

    @Test
    void aFlippedByteRollsTheRestoreBack() throws Exception {
        Backup backup = kit.archiver().backup();
        Backup.TableFile jobs = backup.table(Table.JOBS).orElseThrow();
        byte[] bytes = read(store, jobs.key());
        bytes[bytes.length / 2] ^= 0x01;
        overwrite(store, jobs.key(), bytes);
        assertRefusedAndUnchanged(HiringException.Code.BACKUP_DAMAGED, "SHA-256",
                () -> kit.archiver().restore(backup.id(), RestoreMode.REPLACE));
    }

    @Test
    void aFileThatIsNotTheManifestsRollsBackAfterItsRowsStreamedIn() throws Exception {
        // The file reads well (every row goes into the table); only its hash, known once it was read to the
        // end, says it is not the file the manifest vouches for.
        Backup backup = kit.archiver().backup();
        Backup.TableFile hires = backup.table(Table.HIRED_EMPLOYEES).orElseThrow();
        rewriteManifest(backup, new Backup.TableFile(hires.table(), hires.key(), hires.rows(), hires.bytes(),
                "0".repeat(64), hires.schemaFingerprint()));
        execute(dataSource, "DELETE FROM hired_employees WHERE id > 100");
        execute(dataSource, "UPDATE departments SET department = 'Renamed' WHERE id = 1");
        HiringException e = assertRefusedAndUnchanged(HiringException.Code.BACKUP_DAMAGED, "SHA-256",
                () -> kit.archiver().restore(backup.id(), RestoreMode.REPLACE));
        assertTrue(e.getMessage().contains(hires.sha256() + " read"), e.getMessage());
    }

    @Test
    void aReplaceRestoreBuildsEveryKeyAndIndexAgain() {
        Backup backup = kit.archiver().backup();
        List<String> before = schemaOfTheTables(dataSource);
        kit.archiver().restore(backup.id(), RestoreMode.REPLACE);
        assertEquals(before, schemaOfTheTables(dataSource));
        kit.archiver().restore(backup.id(), RestoreMode.REPLACE, Table.HIRED_EMPLOYEES);
        assertEquals(before, schemaOfTheTables(dataSource));
        // The keys work, not just exist: a duplicate id and a hire without its department are refused.
        assertThrows(IllegalStateException.class, () -> execute(dataSource,
                "INSERT INTO hired_employees SELECT * FROM hired_employees WHERE id = 1"));
        assertThrows(IllegalStateException.class, () -> execute(dataSource,
                "INSERT INTO hired_employees VALUES (999999, 'x', now(), 999999, 1)"));
        assertThrows(IllegalStateException.class, () -> execute(dataSource,
                "INSERT INTO departments SELECT * FROM departments WHERE id = 1"));
    }

    @Test
    void aTruncatedFileIsRefused() throws Exception {
        Backup backup = kit.archiver().backup();
        Backup.TableFile hires = backup.table(Table.HIRED_EMPLOYEES).orElseThrow();
        byte[] bytes = read(store, hires.key());
        overwrite(store, hires.key(), Arrays.copyOf(bytes, bytes.length - 100));
        assertRefusedAndUnchanged(HiringException.Code.BACKUP_DAMAGED, "damaged",
                () -> kit.archiver().restore(Archiver.LATEST, RestoreMode.REPLACE));
    }

    @Test
    void aBackupWithoutItsManifestIsNeitherListedNorUsed() throws Exception {
        Backup older = kit.archiver().backup();
        // A backup that fails as it writes its manifest, with a store that cannot delete its files either
        // (as when the process dies there), leaves its table files and no manifest.
        HiringKit failing = kit(dataSource, new FailingWrites(store, "manifest.json", "disk full (simulated)") {
            @Override
            public void delete(String key) throws IOException {
                throw new IOException("gone (simulated)");
            }
        });
        HiringException failed = assertThrows(HiringException.class, () -> failing.archiver().backup());
        assertEquals(HiringException.Code.ARCHIVE_ERROR, failed.code());
        String incomplete = store.list("backups/").stream().map(k -> k.split("/")[1])
                .filter(id -> !id.equals(older.id())).findFirst().orElseThrow();
        assertTrue(store.list("backups/" + incomplete + "/").contains("backups/" + incomplete + "/hired_employees.avro"));

        assertEquals(List.of(older.id()), kit.archiver().list().stream().map(Backup::id).toList());
        assertRefusedAndUnchanged(HiringException.Code.BACKUP_NOT_FOUND, "manifest",
                () -> kit.archiver().restore(incomplete, RestoreMode.REPLACE));
        execute(dataSource, "DELETE FROM hired_employees WHERE id > 10");
        assertEquals(older.id(), kit.archiver().restore(Archiver.LATEST, RestoreMode.APPEND, Table.HIRED_EMPLOYEES).backupId());
    }

    @Test
    void aFileOfAnotherTableIsRefused() throws Exception {
        Backup backup = kit.archiver().backup();
        Backup.TableFile departments = backup.table(Table.DEPARTMENTS).orElseThrow();
        Backup.TableFile jobs = backup.table(Table.JOBS).orElseThrow();
        // The departments file in the place of the jobs file, with a manifest that vouches for it.
        overwrite(store, jobs.key(), read(store, departments.key()));
        rewriteManifest(backup, new Backup.TableFile(Table.JOBS, jobs.key(), departments.rows(), departments.bytes(),
                departments.sha256(), jobs.schemaFingerprint()));
        assertRefusedAndUnchanged(HiringException.Code.SCHEMA_MISMATCH, "dev.hiringkit.backup.Department",
                () -> kit.archiver().restore(backup.id(), RestoreMode.REPLACE, Table.JOBS));
    }

    @Test
    void aBackupOfAnOlderSchemaIsReadWhenItCanBeAndRefusedWhenItCannot() throws Exception {
        Backup backup = kit.archiver().backup();
        Backup.TableFile jobs = backup.table(Table.JOBS).orElseThrow();

        // Once jobs also had a code (since dropped): Avro's schema resolution reads such a file.
        Schema withCode = new Schema.Parser().parse("""
                {"type": "record", "name": "Job", "namespace": "dev.hiringkit.backup", "fields": [
                  {"name": "id", "type": "int"}, {"name": "code", "type": "string"}, {"name": "job", "type": "string"}]}""");
        Backup.TableFile old = writeOldFile(jobs, withCode, (id, r) -> r.put("code", "J" + id));
        rewriteManifest(backup, old);
        Map<Table, List<String>> before = dump(dataSource);
        execute(dataSource, "UPDATE jobs SET job = 'Renamed'");
        kit.archiver().restore(backup.id(), RestoreMode.REPLACE, Table.JOBS);
        assertEquals(before, dump(dataSource));

        // An id kept as text cannot become an int: refused, with what differs.
        Schema idAsText = new Schema.Parser().parse("""
                {"type": "record", "name": "Job", "namespace": "dev.hiringkit.backup", "fields": [
                  {"name": "id", "type": "string"}, {"name": "job", "type": "string"}]}""");
        rewriteManifest(backup, writeOldFile(jobs, idAsText, (id, r) -> r.put("id", String.valueOf(id))));
        assertRefusedAndUnchanged(HiringException.Code.SCHEMA_MISMATCH, "cannot read",
                () -> kit.archiver().restore(backup.id(), RestoreMode.REPLACE, Table.JOBS));
    }

    @Test
    void aRestoreThatFailsHalfWayLeavesEveryTableAsItWas() throws Exception {
        Backup backup = kit.archiver().backup();
        kit.repository().insert(Batch.ofDepartments(List.of(new Department(9001, "Added after the backup"))));
        // The database fails while the hires stream in: departments and jobs were already replaced.
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION fail_half_way() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN RAISE EXCEPTION 'the disk failed'; END $$");
            s.execute("CREATE TRIGGER fail_half_way BEFORE INSERT ON hired_employees FOR EACH ROW"
                    + " WHEN (NEW.id = 1000) EXECUTE FUNCTION fail_half_way()");
        }
        try {
            assertRefusedAndUnchanged(HiringException.Code.DATABASE_ERROR, "the disk failed",
                    () -> kit.archiver().restore(backup.id(), RestoreMode.REPLACE));
        } finally {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TRIGGER fail_half_way ON hired_employees");
                s.execute("DROP FUNCTION fail_half_way()");
            }
        }
    }

    @Test
    void aStoreOtherThanADirectoryIsReadOncePerFile() {
        Backup backup = kit.archiver().backup();
        Map<String, AtomicInteger> opens = new ConcurrentHashMap<>();
        HiringKit counted = kit(dataSource, new ForwardingStore(store) {
            @Override
            public InputStream open(String key) throws IOException {
                opens.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                return super.open(key);
            }
        });
        counted.archiver().restore(backup.id(), RestoreMode.REPLACE);
        // Checked, then copied in, from one download (S3 would charge for two).
        for (Backup.TableFile file : backup.tables()) {
            assertEquals(1, opens.get(file.key()).get(), file.key());
        }
    }

    @Test
    void backupAndRestoreTellTheirProgressTableByTable() {
        List<String> told = new ArrayList<>();
        ArchiveProgress progress = (table, rows, expected) -> told.add(table.sqlName() + " " + rows + "/" + expected);
        Backup backup = kit.archiver().withProgress(progress).backup();
        long hires = backup.table(Table.HIRED_EMPLOYEES).orElseThrow().rows();
        // Each table starts at 0 (of an estimate) and ends with its count.
        assertEquals("departments 0", told.get(0).substring(0, "departments 0".length()));
        assertTrue(told.contains("hired_employees " + hires + "/" + hires), told.toString());

        told.clear();
        kit.archiver().withProgress(progress).restore(backup.id(), RestoreMode.REPLACE);
        assertEquals(List.of("departments 0/12", "departments 12/12", "jobs 0/183", "jobs 183/183",
                "hired_employees 0/" + hires, "hired_employees " + hires + "/" + hires), told);
    }

    @Test
    void aFailedBackupLeavesNoFilesBehind() throws Exception {
        Backup earlier = kit.archiver().backup();
        List<String> before = store.list("backups/");
        // The store fails on the second table's file, after the first was written whole.
        HiringKit broken = kit(dataSource, new FailingWrites(store, "jobs.avro", "the store is full"));
        HiringException e = assertThrows(HiringException.class, () -> broken.archiver().backup());
        assertTrue(e.getMessage().contains("the store is full"), e.getMessage());
        assertEquals(before, store.list("backups/"));
        assertEquals(earlier.id(), kit.archiver().list().get(0).id());
    }

    @Test
    void aStoreThatFailsWhileFilesAreCheckedIsAnArchiveErrorNotADamagedBackup() {
        Backup backup = kit.archiver().backup();
        HiringKit broken = kit(dataSource, new ForwardingStore(store) {
            @Override
            public InputStream open(String key) throws IOException {
                return key.endsWith("jobs.avro") ? new FailingAfter(super.open(key), 100) : super.open(key);
            }
        });
        assertRefusedAndUnchanged(HiringException.Code.ARCHIVE_ERROR, "connection reset",
                () -> broken.archiver().restore(backup.id(), RestoreMode.REPLACE));
    }

    @Test
    void aRestoreThatWouldOrphanHiredEmployeesIsRefused() {
        Backup departmentsOnly = kit.archiver().backup(Table.DEPARTMENTS);
        kit.repository().insert(Batch.builder()
                .add(new Department(9001, "New"))
                .add(new HiredEmployee(9001, "New hire", Instant.parse("2021-02-03T04:05:06Z"), 9001, 1))
                .allOrNothing(true)
                .build());
        HiringException e = assertRefusedAndUnchanged(HiringException.Code.RESTORE_WOULD_ORPHAN,
                "1 hired employee without their department (such as hired employee 9001; department 9001 is missing)",
                () -> kit.archiver().restore(departmentsOnly.id(), RestoreMode.REPLACE, Table.DEPARTMENTS));
        assertFalse(e.getMessage().contains("job ("), e.getMessage());
    }

    @Test
    void aRestoreIsRefusedWhileALoadOfItsTableRuns() throws Exception {
        Backup backup = kit.archiver().backup();
        try (TableLease load = TableLease.acquire(dataSource, Table.JOBS, Duration.ZERO)) { // what a running load holds
            assertRefusedAndUnchanged(HiringException.Code.LOAD_IN_PROGRESS, "jobs is running",
                    () -> kit.archiver().restore(backup.id(), RestoreMode.REPLACE, Table.JOBS));
        }
        kit.archiver().restore(backup.id(), RestoreMode.REPLACE, Table.JOBS);
    }

    @Test
    void unknownBackupsAreReportedClearly() {
        HiringException e = assertThrows(HiringException.class,
                () -> kit.archiver().restore("20200101T000000000Z", RestoreMode.REPLACE));
        assertEquals(HiringException.Code.BACKUP_NOT_FOUND, e.code());
        e = assertThrows(HiringException.class, () -> kit.archiver().restore("../../etc", RestoreMode.REPLACE));
        assertEquals(HiringException.Code.BACKUP_NOT_FOUND, e.code());
        e = assertThrows(HiringException.class, () -> kit.archiver().restore(Archiver.LATEST, RestoreMode.REPLACE));
        assertEquals(HiringException.Code.BACKUP_NOT_FOUND, e.code());
        Backup jobsOnly = kit.archiver().backup(Table.JOBS);
        e = assertThrows(HiringException.class,
                () -> kit.archiver().restore(jobsOnly.id(), RestoreMode.REPLACE, Table.DEPARTMENTS));
        assertEquals(HiringException.Code.BACKUP_NOT_FOUND, e.code());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private HiringException assertRefusedAndUnchanged(HiringException.Code code, String messagePart, Runnable restore) {
        Map<Table, List<String>> before = dump(dataSource);
        HiringException e = assertThrows(HiringException.class, restore::run);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertEquals(before, dump(dataSource));
        assertKeysInPlace(dataSource);
        return e;
    }

    /** Writes the rows of a table's file again with an older schema, the other fields filled in by {@code fill}. */
    private Backup.TableFile writeOldFile(Backup.TableFile file, Schema old,
            BiConsumer<Integer, GenericRecord> fill) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long rows = 0;
        try (InputStream in = new ByteArrayInputStream(read(store, file.key()));
                DataFileStream<GenericRecord> current = new DataFileStream<>(in, new GenericDatumReader<>());
                DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(old))) {
            writer.create(old, bytes);
            for (GenericRecord r : current) {
                GenericRecord o = new GenericData.Record(old);
                for (Schema.Field f : old.getFields()) {
                    if (current.getSchema().getField(f.name()) != null) {
                        o.put(f.name(), r.get(f.name()));
                    }
                }
                fill.accept((Integer) r.get("id"), o);
                writer.append(o);
                rows++;
            }
        }
        overwrite(store, file.key(), bytes.toByteArray());
        return new Backup.TableFile(file.table(), file.key(), rows, bytes.size(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray())),
                AvroTables.fingerprint(old));
    }

    private void rewriteManifest(Backup backup, Backup.TableFile changed) throws IOException {
        List<Backup.TableFile> files = backup.tables().stream()
                .map(f -> f.table() == changed.table() ? changed : f).toList();
        byte[] manifest = BackupManifest.write(new Backup(backup.id(), backup.createdAt(), backup.codec(), files));
        store.write("backups/" + backup.id() + "/manifest.json", out -> out.write(manifest));
    }

    private static byte[] read(ArchiveStore store, String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return in.readAllBytes();
        }
    }

    private static void overwrite(ArchiveStore store, String key, byte[] bytes) throws IOException {
        store.write(key, out -> out.write(bytes));
    }

    private static void assertKeysInPlace(HikariDataSource dataSource) {
        assertEquals(List.of("hired_employees_department_fk true", "hired_employees_job_fk true"),
                queryStrings(dataSource, "SELECT conname || ' ' || convalidated FROM pg_constraint"
                        + " WHERE conrelid = 'hired_employees'::regclass AND contype = 'f' ORDER BY conname"));
        assertEquals(List.of("hired_employees_datetime_idx"),
                queryStrings(dataSource, "SELECT indexname FROM pg_indexes WHERE indexname = 'hired_employees_datetime_idx'"));
        assertEquals(List.of("departments departments_pkey", "hired_employees hired_employees_pkey", "jobs jobs_pkey"),
                queryStrings(dataSource, "SELECT conrelid::regclass || ' ' || conname FROM pg_constraint WHERE contype = 'p'"
                        + " AND conrelid IN ('departments'::regclass, 'jobs'::regclass, 'hired_employees'::regclass)"
                        + " ORDER BY 1"));
    }

    /** Every constraint and index of the three tables, with its definition. */
    private static List<String> schemaOfTheTables(HikariDataSource dataSource) {
        List<String> schema = new ArrayList<>(queryStrings(dataSource, "SELECT conrelid::regclass || ' ' || conname || ' '"
                + " || pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint WHERE conrelid IN"
                + " ('departments'::regclass, 'jobs'::regclass, 'hired_employees'::regclass) ORDER BY 1"));
        schema.addAll(queryStrings(dataSource, "SELECT indexdef FROM pg_indexes"
                + " WHERE tablename IN ('departments', 'jobs', 'hired_employees') ORDER BY indexname"));
        return schema;
    }

    /** Every row of every table, as text, by id. */
    private static Map<Table, List<String>> dump(HikariDataSource dataSource) {
        return Map.of(
                Table.DEPARTMENTS, queryStrings(dataSource, "SELECT t::text FROM departments t ORDER BY id"),
                Table.JOBS, queryStrings(dataSource, "SELECT t::text FROM jobs t ORDER BY id"),
                Table.HIRED_EMPLOYEES, queryStrings(dataSource, "SELECT t::text FROM hired_employees t ORDER BY id"));
    }

    private static long count(HikariDataSource dataSource, String tableAndFilter) {
        return Long.parseLong(queryStrings(dataSource, "SELECT count(*) FROM " + tableAndFilter).get(0));
    }

    private static List<Integer> queryInts(HikariDataSource dataSource, String sql) {
        return queryStrings(dataSource, sql).stream().map(Integer::valueOf).toList();
    }

    private static List<String> queryStrings(HikariDataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(HikariDataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A store that passes everything to another; tests override what should go wrong. */
    static class ForwardingStore implements ArchiveStore {
        private final ArchiveStore delegate;

        ForwardingStore(ArchiveStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(String key, Body body) throws IOException {
            delegate.write(key, body);
        }

        @Override
        public InputStream open(String key) throws IOException {
            return delegate.open(key);
        }

        @Override
        public void delete(String key) throws IOException {
            delegate.delete(key);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return delegate.list(prefix);
        }

        @Override
        public String locate(String key) {
            return delegate.locate(key);
        }
    }

    /** A store that refuses to write the keys ending in {@code suffix}. */
    static class FailingWrites extends ForwardingStore {
        private final String suffix;
        private final String failure;

        FailingWrites(ArchiveStore delegate, String suffix, String failure) {
            super(delegate);
            this.suffix = suffix;
            this.failure = failure;
        }

        @Override
        public void write(String key, Body body) throws IOException {
            if (key.endsWith(suffix)) {
                throw new IOException(failure);
            }
            super.write(key, body);
        }
    }

    /** A stream that breaks, as a network does, after some bytes. */
    private static final class FailingAfter extends FilterInputStream {
        private long left;

        FailingAfter(InputStream in, long bytes) {
            super(in);
            this.left = bytes;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                throw new IOException("connection reset (simulated)");
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
