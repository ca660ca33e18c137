package dev.hiringkit.internal.archive;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveProgress;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Archiver;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.internal.db.BinaryCopyReader;
import dev.hiringkit.internal.db.CopyBuffer;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.db.IdempotencyKeys;
import dev.hiringkit.internal.db.SchemaKeys;
import dev.hiringkit.internal.db.TableLease;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.util.Utf8;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.PGCopyInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backups stream each table with {@code COPY ... TO STDOUT (FORMAT binary)} into an Avro container
 * file, field by field; restores stream the files back with binary {@code COPY FROM STDIN}, in one
 * transaction that drops the keys of hired_employees and validates them again in one pass at the end.
 */
public final class PgArchiver implements Archiver {

    static final int SKIPPED_IDS_SHOWN = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(PgArchiver.class);
    private static final String PREFIX = "backups/";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String MANIFEST = "manifest.json";
    private static final DateTimeFormatter ID_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    /** The time, then (since this version) a random suffix: two backups in one millisecond never share an id. */
    private static final Pattern ID = Pattern.compile("\\d{8}T\\d{9}Z(-[0-9a-f]{4})?");
    /** Zstandard at level 3 writes faster than deflate at level 1 and about as small as deflate at 6. */
    private static final String CODEC = "zstandard";
    private static final int ZSTD_LEVEL = 3;
    /** Larger blocks compress better; a block is held in memory while it is written or read. */
    private static final int BLOCK_BYTES = 1 << 20;
    /** Rows between two reports of progress. */
    private static final int PROGRESS_ROWS = 1 << 16;

    private final DataSource dataSource;
    private final ArchiveStore store;
    private final ArchiveProgress progress;
    private final SchemaKeys keys = new SchemaKeys();
    private final IdempotencyKeys idempotency;

    public PgArchiver(DataSource dataSource, ArchiveStore store, IdempotencyKeys idempotency) {
        this(dataSource, store, ArchiveProgress.NONE, idempotency);
    }

    private PgArchiver(DataSource dataSource, ArchiveStore store, ArchiveProgress progress,
            IdempotencyKeys idempotency) {
        this.dataSource = dataSource;
        this.store = store;
        this.progress = progress;
        this.idempotency = idempotency;
    }

    @Override
    public Archiver withProgress(ArchiveProgress progress) {
        return new PgArchiver(dataSource, store, progress, idempotency);
    }

    // ---- idempotency keys -----------------------------------------------------------------------

    private static final ObjectMapper STORED = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * A keyed backup claims its key in a transaction of its own, held while the backup is taken (a second
     * request with the key waits on it), and commits it with the backup's id once the manifest is written:
     * the key is recorded if and only if the backup is complete. A process that dies in between leaves an
     * incomplete backup (never listed) and no key; the retry takes the backup again.
     */
    @Override
    public Backup backup(IdempotencyKey key, Table... tables) {
        List<Table> chosen = parentsFirst(tables);
        IdempotencyKeys.Claim claim = new IdempotencyKeys.Claim(key.madeBy().orElse(null), key.key(), "backup",
                IdempotencyKeys.sha256(chosen.stream().map(Table::sqlName).toArray(String[]::new)));
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Optional<String> stored = idempotency.claim(connection, claim);
                if (stored.isPresent()) {
                    connection.rollback();
                    Backup backup = find(stored.get(), List.of());
                    return new Backup(backup.id(), backup.createdAt(), backup.codec(), backup.tables(), true);
                }
                Backup backup = backup(tables);
                idempotency.complete(connection, claim, backup.id());
                connection.commit();
                return backup;
            } catch (RuntimeException | SQLException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw DatabaseFailures.translate("The backup was not recorded under its idempotency key", e);
        } finally {
            idempotency.purgeExpiredIfDue(dataSource);
        }
    }

    @Override
    public RestoreResult restore(IdempotencyKey key, String backupId, RestoreMode mode, Table... tables) {
        // The backup id as asked ('latest' stays 'latest'): a retry sends the same words.
        IdempotencyKeys.Claim claim = new IdempotencyKeys.Claim(key.madeBy().orElse(null), key.key(), "restore",
                IdempotencyKeys.sha256(Objects.requireNonNullElse(backupId, LATEST), mode.name(),
                        parentsFirst(tables).stream().map(Table::sqlName).collect(Collectors.joining(","))));
        try {
            // A retry whose restore committed is answered before any file is read; the claim in the restore's
            // transaction is what makes two concurrent ones run once.
            try (Connection connection = dataSource.getConnection()) {
                Optional<String> stored = idempotency.find(connection, claim);
                if (stored.isPresent() && !stored.get().isEmpty()) {
                    return replayedRestore(stored.get());
                }
            } catch (SQLException e) {
                throw DatabaseFailures.translate("The restore from backup " + backupId + " failed and changed nothing"
                        + " (every table is as it was)", e);
            }
            return restore(backupId, mode, Optional.of(claim), tables);
        } finally {
            idempotency.purgeExpiredIfDue(dataSource);
        }
    }

    private static RestoreResult replayedRestore(String json) {
        try {
            RestoreResult stored = STORED.readValue(json, RestoreResult.class);
            return new RestoreResult(stored.backupId(), stored.mode(), stored.tables(), true);
        } catch (IOException e) {
            throw new HiringException(Code.DATABASE_ERROR, "The stored result of an idempotency key is unreadable", e);
        }
    }

    private static String stored(RestoreResult result) {
        try {
            return STORED.writeValueAsString(result);
        } catch (IOException e) {
            throw new IllegalStateException("a restore result is always JSON", e);
        }
    }

    // ---- backup ---------------------------------------------------------------------------------

    @Override
    public Backup backup(Table... tables) {
        List<Table> chosen = parentsFirst(tables);
        Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = freeId(createdAt);
        try {
            return backup(chosen, id, createdAt);
        } catch (RuntimeException e) {
            // Without its manifest the backup is never used: its files would only take space. The manifest
            // goes first (a write reported failed may have happened); if it cannot, the files stay.
            try {
                store.delete(manifestKey(id));
                for (Table table : chosen) {
                    store.delete(fileKey(id, table));
                }
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static String manifestKey(String id) {
        return PREFIX + id + "/" + MANIFEST;
    }

    private static String fileKey(String id, Table table) {
        return PREFIX + id + "/" + table.sqlName() + ".avro";
    }

    private Backup backup(List<Table> chosen, String id, Instant createdAt) {
        List<Backup.TableFile> files = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            // One snapshot for every table: rows written meanwhile never tear the backup.
            connection.setAutoCommit(false);
            try {
                // For this transaction only: the driver's setTransactionIsolation sets it for the session,
                // which a transaction pooler would pass on to other clients.
                execute(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                // LOCK takes no snapshot: the snapshot (taken by the first COPY) then comes after any
                // restore that holds the tables has committed, never from before it.
                execute(connection, "LOCK TABLE " + names(chosen) + " IN ACCESS SHARE MODE");
                for (Table table : chosen) {
                    files.add(backupTable(connection, table, id));
                }
                connection.commit();
            } catch (RuntimeException | SQLException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw DatabaseFailures.translate("The backup " + id + " failed", e);
        }
        Backup backup = new Backup(id, createdAt, CODEC, files);
        try {
            byte[] manifest = BackupManifest.write(backup);
            store.write(manifestKey(id), out -> out.write(manifest));
        } catch (IOException e) {
            throw archiveError("The backup " + id + " could not write its manifest", e);
        }
        LOG.debug("Backup {} written: {}", id, files.stream()
                .map(f -> f.table().sqlName() + " " + f.rows() + " rows").collect(Collectors.joining(", ")));
        return backup;
    }

    private Backup.TableFile backupTable(Connection connection, Table table, String id) throws SQLException {
        Schema schema = AvroTables.schema(table);
        List<AvroTables.Kind> kinds = AvroTables.kinds(schema);
        String key = fileKey(id, table);
        String sql = "COPY " + table.sqlName() + " (" + String.join(", ", table.columns()) + ") TO STDOUT (FORMAT binary)";
        PGConnection pg = connection.unwrap(PGConnection.class);
        Measured measured = new Measured();
        long expected = estimatedRows(connection, table);
        progress.rows(table, 0, expected);
        try {
            store.write(key, out -> {
                try (PGCopyInputStream copy = new PGCopyInputStream(pg, sql);
                        DataFileWriter<BinaryCopyReader> writer = new DataFileWriter<>(new CopyRowWriter(kinds))) {
                    BinaryCopyReader rows = new BinaryCopyReader(copy);
                    writer.setCodec(CodecFactory.zstandardCodec(ZSTD_LEVEL));
                    writer.setSyncInterval(BLOCK_BYTES);
                    writer.create(schema, measured.wrap(out));
                    while (rows.next(kinds.size())) {
                        try {
                            writer.append(rows);
                        } catch (DataFileWriter.AppendWriteException e) {
                            if (e.getCause() instanceof IOException io) {
                                throw io;
                            }
                            throw e;
                        }
                        if (++measured.rows % PROGRESS_ROWS == 0) {
                            progress.rows(table, measured.rows, expected);
                        }
                    }
                    rows.end();
                } catch (SQLException e) {
                    throw DatabaseFailures.translate("The backup " + id + " failed reading " + table.sqlName(), e);
                }
            });
        } catch (IOException e) {
            // The driver's COPY stream reports a lost connection as an IOException: the database's failure.
            if (e.getCause() instanceof SQLException failure) {
                throw DatabaseFailures.translate("The backup " + id + " failed reading " + table.sqlName(), failure);
            }
            throw archiveError("Writing " + store.locate(key) + " failed", e);
        }
        progress.rows(table, measured.rows, measured.rows);
        return new Backup.TableFile(table, key, measured.rows, measured.bytes, measured.sha256(),
                AvroTables.fingerprint(schema));
    }

    /** PostgreSQL's estimate of a table's rows (from its last VACUUM or ANALYZE); -1 when it has none. */
    private static long estimatedRows(Connection connection, Table table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT reltuples::bigint FROM pg_class WHERE oid = '"
                        + table.sqlName() + "'::regclass")) {
            return rs.next() ? Math.max(-1, rs.getLong(1)) : -1;
        }
    }

    /** A backup id not taken yet: the creation time and a random suffix, so ids sort by age. */
    private String freeId(Instant createdAt) {
        try {
            while (true) {
                String id = ID_FORMAT.format(createdAt) + "-" + HexFormat.of().toHexDigits((short) RANDOM.nextInt());
                if (store.list(PREFIX + id + "/").isEmpty()) {
                    return id;
                }
            }
        } catch (IOException e) {
            throw archiveError("Listing the backups failed", e);
        }
    }

    /** Encodes the row a {@link BinaryCopyReader} stands on, field by field, with no object per row. */
    private static final class CopyRowWriter implements DatumWriter<BinaryCopyReader> {
        private final AvroTables.Kind[] kinds;

        CopyRowWriter(List<AvroTables.Kind> kinds) {
            this.kinds = kinds.toArray(AvroTables.Kind[]::new);
        }

        @Override
        public void setSchema(Schema schema) {
        }

        @Override
        public void write(BinaryCopyReader row, Encoder out) throws IOException {
            for (AvroTables.Kind kind : kinds) {
                switch (kind) {
                    case INT -> out.writeInt(row.int4());
                    case TIMESTAMP -> out.writeLong(row.timestampMicros());
                    case TEXT -> {
                        row.text();
                        // An Avro string is its UTF-8 bytes with their length, exactly as bytes are written.
                        out.writeBytes(row.textBytes(), 0, row.textLength());
                    }
                }
            }
        }
    }

    // ---- list -----------------------------------------------------------------------------------

    @Override
    public List<Backup> list() {
        List<Backup> backups = new ArrayList<>();
        try {
            for (String key : store.list(PREFIX)) {
                String[] parts = key.substring(PREFIX.length()).split("/");
                if (parts.length == 2 && ID.matcher(parts[0]).matches() && parts[1].equals(MANIFEST)) {
                    try {
                        backups.add(readManifest(parts[0]));
                    } catch (HiringException | IOException e) {
                        LOG.warn("Backup {} is not listed: {}", parts[0], e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw archiveError("Listing the backups failed", e);
        }
        backups.sort(Comparator.comparing(Backup::id).reversed());
        return backups;
    }

    private Backup find(String backupId, List<Table> tables) {
        if (backupId == null || backupId.equals(LATEST)) {
            return list().stream()
                    .filter(b -> tables.stream().allMatch(t -> b.table(t).isPresent()))
                    .findFirst()
                    .orElseThrow(() -> new HiringException(Code.BACKUP_NOT_FOUND, "No complete backup"
                            + (tables.isEmpty() ? "" : " holds " + names(tables)) + " in " + store.locate(PREFIX)));
        }
        if (!ID.matcher(backupId).matches()) {
            throw new HiringException(Code.BACKUP_NOT_FOUND, "'" + backupId
                    + "' is not a backup id (like 20210714T093015123Z-3fa9) nor '" + LATEST + "'");
        }
        String key = manifestKey(backupId);
        try {
            return readManifest(backupId);
        } catch (NoSuchFileException e) {
            throw new HiringException(Code.BACKUP_NOT_FOUND, "No complete backup " + backupId + ": "
                    + store.locate(key) + " is missing (a backup without its manifest is incomplete)");
        } catch (IOException e) {
            throw archiveError("Reading " + store.locate(key) + " failed", e);
        }
    }

    /** A backup's manifest, which must speak of that backup and of its own files only. */
    private Backup readManifest(String id) throws IOException {
        String key = manifestKey(id);
        Backup backup;
        try (InputStream in = store.open(key)) {
            backup = BackupManifest.read(in, store.locate(key));
        }
        boolean own = backup.id().equals(id) && backup.tables().stream()
                .allMatch(f -> f.key().equals(fileKey(id, f.table())))
                && backup.tables().stream().map(Backup.TableFile::table).distinct().count() == backup.tables().size();
        if (!own) {
            throw new HiringException(Code.BACKUP_DAMAGED, "The manifest " + store.locate(key)
                    + " does not describe the files of backup " + id);
        }
        return backup;
    }

    // ---- restore --------------------------------------------------------------------------------

    @Override
    public RestoreResult restore(String backupId, RestoreMode mode, Table... tables) {
        return restore(backupId, mode, Optional.empty(), tables);
    }

    private RestoreResult restore(String backupId, RestoreMode mode, Optional<IdempotencyKeys.Claim> claim,
            Table... tables) {
        boolean all = tables.length == 0;
        Backup backup = find(backupId, all ? List.of() : parentsFirst(tables));
        List<Table> chosen = parentsFirst(all ? backup.tables().stream().map(Backup.TableFile::table).toArray(Table[]::new)
                : tables);
        Map<Table, Backup.TableFile> files = new EnumMap<>(Table.class);
        for (Table table : chosen) {
            files.put(table, backup.table(table).orElseThrow(() -> new HiringException(Code.BACKUP_NOT_FOUND,
                    "The backup " + backup.id() + " holds no " + table.sqlName())));
        }
        try (FileReads reads = new FileReads()) {
            // A remote store's files are downloaded before the tables are locked; each file's size and
            // SHA-256 are then checked as it streams into the database (one read), and a file that is not
            // the manifest's rolls the restore back.
            reads.prefetch(files.values());
            return restore(backup, mode, chosen, files, reads, claim);
        }
    }

    private RestoreResult restore(Backup backup, RestoreMode mode, List<Table> chosen,
            Map<Table, Backup.TableFile> files, FileReads reads, Optional<IdempotencyKeys.Claim> claim) {
        boolean keysDropped = mode == RestoreMode.REPLACE || chosen.contains(Table.HIRED_EMPLOYEES);
        List<RestoreResult.TableRestore> results = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            RestoreResult result;
            try {
                // The key first: a concurrent restore with it waits here, then replays this one's result.
                Optional<String> stored = claim.isPresent() ? idempotency.claim(connection, claim.get())
                        : Optional.empty();
                if (stored.isPresent()) {
                    connection.rollback();
                    return replayedRestore(stored.get());
                }
                lock(connection, chosen, mode, keysDropped);
                if (keysDropped) {
                    keys.dropInTransaction(connection);
                }
                for (Table table : chosen) {
                    results.add(mode == RestoreMode.REPLACE
                            ? replace(connection, files.get(table), reads)
                            : append(connection, files.get(table), reads));
                }
                if (mode == RestoreMode.REPLACE) {
                    BareTables.restorePrimaryKeys(connection, chosen);
                }
                if (keysDropped) {
                    restoreKeys(connection, backup.id());
                }
                result = new RestoreResult(backup.id(), mode, results);
                if (claim.isPresent()) {
                    idempotency.complete(connection, claim.get(), stored(result));
                }
            } catch (RuntimeException | SQLException | IOException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            try {
                connection.commit();
            } catch (SQLException e) {
                throw DatabaseFailures.translate("The restore from backup " + backup.id() + " was sent, but its"
                        + " commit failed: whether it took effect is unknown", e);
            }
            LOG.debug("Restored {} from backup {} ({})", names(chosen), backup.id(), mode);
            return result;
        } catch (SQLException e) {
            throw DatabaseFailures.translate("The restore from backup " + backup.id() + " failed and changed nothing"
                    + " (every table is as it was)", e);
        } catch (IOException e) {
            throw archiveError("The restore from backup " + backup.id() + " failed and changed nothing (every table is"
                    + " as it was)", e);
        }
    }

    private void checkWhole(Backup.TableFile file, Measured measured) {
        if (!matches(file, measured)) {
            throw damaged(file, sizeOrHash(file, measured));
        }
    }

    private static boolean matches(Backup.TableFile file, Measured measured) {
        return measured.bytes == file.bytes() && measured.sha256().equals(file.sha256());
    }

    private static String sizeOrHash(Backup.TableFile file, Measured measured) {
        return "its size or SHA-256 is not the manifest's (" + measured.bytes + " bytes, " + measured.sha256()
                + " read; " + file.bytes() + " bytes, " + file.sha256() + " expected)";
    }

    private void checkSchema(Backup.TableFile file, Schema written) {
        Schema expected = AvroTables.schema(file.table());
        if (!written.getFullName().equals(expected.getFullName())) {
            throw new HiringException(Code.SCHEMA_MISMATCH, "The backup file " + store.locate(file.key())
                    + " holds " + written.getFullName() + " records, not " + expected.getFullName()
                    + ": it is not a copy of " + file.table().sqlName());
        }
        if (!AvroTables.fingerprint(written).equals(file.schemaFingerprint())) {
            throw damaged(file, "its schema is not the one its manifest names");
        }
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(expected, written);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new HiringException(Code.SCHEMA_MISMATCH, "The backup file " + store.locate(file.key())
                    + " was written with a schema of " + file.table().sqlName() + " this version cannot read: "
                    + compatibility.getResult().getIncompatibilities().stream()
                            .map(i -> i.getMessage() + " at " + i.getLocation())
                            .collect(Collectors.joining("; ")));
        }
    }

    private void lock(Connection connection, List<Table> chosen, RestoreMode mode, boolean keysDropped)
            throws SQLException {
        // Dropping the foreign keys locks all three tables: take them at once, parents first, so that a
        // backup or a batch (which go parents first too) cannot deadlock with the restore.
        List<Table> locked = keysDropped ? List.of(Table.values()) : chosen;
        // A load's lease: a restore and a load of one table never interleave.
        TableLease.takeInTransaction(connection, locked);
        execute(connection, "LOCK TABLE " + names(locked) + " IN "
                + (keysDropped ? "ACCESS EXCLUSIVE" : "EXCLUSIVE") + " MODE");
    }

    private RestoreResult.TableRestore replace(Connection connection, Backup.TableFile file, FileReads reads)
            throws SQLException, IOException {
        String table = file.table().sqlName();
        long before = count(connection, table);
        // Emptied in this transaction, without its primary key (rebuilt once the rows are in): rows are
        // written frozen, and an index is built in one sort instead of growing row by row.
        BareTables.empty(connection, file.table());
        copyIn(connection, file, reads, table, true);
        return new RestoreResult.TableRestore(file.table(), file.rows(), before, before, file.rows(), 0, List.of());
    }

    private RestoreResult.TableRestore append(Connection connection, Backup.TableFile file, FileReads reads)
            throws SQLException, IOException {
        String table = file.table().sqlName();
        String staging = "restore_" + table;
        String columns = String.join(", ", file.table().columns());
        long before = count(connection, table);
        execute(connection, "CREATE TEMP TABLE " + staging + " (LIKE " + table + ") ON COMMIT DROP");
        copyIn(connection, file, reads, staging, false);
        List<Integer> skippedIds = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT s.id FROM " + staging + " s WHERE EXISTS (SELECT 1 FROM "
                        + table + " t WHERE t.id = s.id) ORDER BY s.id LIMIT " + SKIPPED_IDS_SHOWN)) {
            while (rs.next()) {
                skippedIds.add(rs.getInt(1));
            }
        }
        long inserted;
        try (Statement statement = connection.createStatement()) {
            inserted = statement.executeLargeUpdate("INSERT INTO " + table + " (" + columns + ") SELECT " + columns
                    + " FROM " + staging + " ON CONFLICT (id) DO NOTHING");
            statement.execute("DROP TABLE " + staging);
        }
        return new RestoreResult.TableRestore(file.table(), file.rows(), before, 0, inserted,
                file.rows() - inserted, skippedIds);
    }

    /**
     * Streams one backup file into {@code target} with binary COPY ({@code FREEZE} into a table emptied in
     * this transaction), hashing its bytes as they pass: the file is read once, and one that is not the
     * manifest's (size, SHA-256, schema, rows) fails the restore, which the caller rolls back.
     */
    private void copyIn(Connection connection, Backup.TableFile file, FileReads reads, String target, boolean freeze)
            throws SQLException, IOException {
        Schema expected = AvroTables.schema(file.table());
        AvroTables.Kind[] kinds = AvroTables.kinds(expected).toArray(AvroTables.Kind[]::new);
        Measured measured = new Measured();
        long rows = 0;
        InputStream in;
        try {
            in = measured.wrap(reads.open(file));
        } catch (NoSuchFileException e) {
            throw new HiringException(Code.BACKUP_DAMAGED, "The backup file " + store.locate(file.key()) + " is missing");
        }
        CopyIn copy = null;
        try (in; DataFileStream<GenericRecord> avro = new DataFileStream<>(in, new GenericDatumReader<>(expected))) {
            checkSchema(file, avro.getSchema());
            String sql = CopyBuffer.copySql(target, String.join(", ", file.table().columns()));
            copy = connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn(freeze ? sql.replace("(FORMAT binary)", "(FORMAT binary, FREEZE)") : sql);
            CopyBuffer out = new CopyBuffer();
            out.start(copy);
            GenericRecord record = null;
            progress.rows(file.table(), 0, file.rows());
            while (avro.hasNext()) {
                record = avro.next(record);
                out.row(kinds.length);
                for (int i = 0; i < kinds.length; i++) {
                    Object value = record.get(i);
                    switch (kinds[i]) {
                        case INT -> out.int4((Integer) value);
                        case TIMESTAMP -> out.timestamptzMicros((Long) value);
                        case TEXT -> {
                            Utf8 text = (Utf8) value;
                            out.text(text.getBytes(), 0, text.getByteLength());
                        }
                    }
                }
                out.endRow();
                if (++rows % PROGRESS_ROWS == 0) {
                    progress.rows(file.table(), rows, file.rows());
                }
            }
            in.transferTo(OutputStream.nullOutputStream());
            // The whole file was read: the rows sent are the manifest's before the COPY is committed to.
            checkWhole(file, measured);
            out.finish();
            copy.endCopy();
        } catch (StoreReadException e) {
            throw e;
        } catch (IOException | AvroRuntimeException | SQLException | HiringException e) {
            if (e.getCause() instanceof StoreReadException storeFailed) {
                throw storeFailed; // the store failed, not the file
            }
            // A damaged file can fail the decoder or the COPY before its hash is known: read the rest, so that
            // the error names the damage rather than its symptom.
            if (!whole(in, file, measured)) {
                throw damaged(file, sizeOrHash(file, measured));
            }
            if (e instanceof IOException || e instanceof AvroRuntimeException) {
                throw damaged(file, "reading it failed (" + e.getMessage() + ")");
            }
            throw e;
        } finally {
            if (copy != null && copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException e) {
                    LOG.debug("Cancelling the COPY failed", e); // the transaction is rolled back anyway
                }
            }
        }
        if (rows != file.rows()) {
            throw damaged(file, "it holds " + rows + " rows, its manifest says " + file.rows());
        }
        progress.rows(file.table(), rows, file.rows());
    }

    /** Whether the file, read to its end from where {@code in} stands, has the manifest's size and SHA-256. */
    private static boolean whole(InputStream in, Backup.TableFile file, Measured measured) {
        try {
            if (!measured.finished()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException e) {
            return true; // unreadable to its end: no verdict on the file; the first failure stands
        }
        return matches(file, measured);
    }

    /** Puts the keys of hired_employees back; a row left without its department or job refuses the restore. */
    private void restoreKeys(Connection connection, String backupId) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            keys.restoreInTransaction(connection);
        } catch (SQLException e) {
            if (!"23503".equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(savepoint);
            throw new HiringException(Code.RESTORE_WOULD_ORPHAN, "Nothing was restored from backup " + backupId
                    + ": it would leave " + orphans(connection)
                    + ". Restore the departments and jobs they need first, or in the same restore.");
        }
    }

    private static String orphans(Connection connection) throws SQLException {
        List<String> parts = new ArrayList<>();
        for (String[] parent : new String[][] {{"departments", "department_id", "department"}, {"jobs", "job_id", "job"}}) {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT count(*), min(h.id), min(h." + parent[1] + ")"
                            + " FROM hired_employees h WHERE NOT EXISTS (SELECT 1 FROM " + parent[0] + " p"
                            + " WHERE p.id = h." + parent[1] + ")")) {
                rs.next();
                long count = rs.getLong(1);
                if (count > 0) {
                    parts.add(count + (count == 1 ? " hired employee" : " hired employees") + " without their "
                            + parent[2] + " (such as hired employee " + rs.getInt(2) + "; " + parent[2] + " "
                            + rs.getInt(3) + " is missing)");
                }
            }
        }
        return String.join(" and ", parts);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The tables given, or all of them, parents before children (the enum's order). */
    private static List<Table> parentsFirst(Table[] tables) {
        return Arrays.stream(tables.length == 0 ? Table.values() : tables).distinct().sorted().toList();
    }

    private static String names(List<Table> tables) {
        return tables.stream().map(Table::sqlName).collect(Collectors.joining(", "));
    }

    /** Rolls back; a failure to (the connection is gone, say) is attached to the error that caused it. */
    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * Where a restore reads its files: a directory's in place; a remote store's (S3) from temporary
     * copies, downloaded before the restore locks its tables, so that a slow store never holds them.
     */
    private final class FileReads implements AutoCloseable {
        private final Map<String, Path> copies = new HashMap<>();

        /** Downloads the files of a remote store; a missing or unreadable one fails before the database is touched. */
        void prefetch(Iterable<Backup.TableFile> files) {
            if (store instanceof DirectoryStore) {
                return;
            }
            for (Backup.TableFile file : files) {
                try {
                    download(file.key());
                } catch (NoSuchFileException e) {
                    throw new HiringException(Code.BACKUP_DAMAGED, "The backup file " + store.locate(file.key())
                            + " is missing");
                } catch (IOException e) {
                    throw archiveError("Reading " + store.locate(file.key()) + " failed",
                            e instanceof StoreReadException && e.getCause() instanceof IOException io ? io : e);
                }
            }
        }

        /** The file, from the copy downloaded at its first opening when the store is remote. */
        InputStream open(Backup.TableFile file) throws IOException {
            if (store instanceof DirectoryStore) {
                return store.open(file.key());
            }
            Path copy = copies.get(file.key());
            return Files.newInputStream(copy != null ? copy : download(file.key()));
        }

        /** A missing object stays a NoSuchFileException; any other failure is the store's, not the file's. */
        private Path download(String key) throws IOException {
            try {
                Path copy = Files.createTempFile("hiring-restore-", ".avro");
                copies.put(key, copy);
                try (InputStream in = store.open(key)) {
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                }
                return copy;
            } catch (NoSuchFileException e) {
                throw e;
            } catch (IOException e) {
                throw new StoreReadException(e);
            }
        }

        @Override
        public void close() {
            for (Path copy : copies.values()) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException e) {
                    LOG.warn("Could not delete the temporary copy {}", copy, e);
                }
            }
        }
    }

    private HiringException damaged(Backup.TableFile file, String why) {
        return new HiringException(Code.BACKUP_DAMAGED, "The backup file " + store.locate(file.key())
                + " is damaged: " + why);
    }

    private static HiringException archiveError(String what, IOException e) {
        return new HiringException(Code.ARCHIVE_ERROR, what + ": " + e.getMessage(), e);
    }

    /** The archive store failed as a file was read: not the file's fault. */
    private static final class StoreReadException extends IOException {
        private static final long serialVersionUID = 1L;

        StoreReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private interface StoreRead {
        int read() throws IOException;
    }

    private static int readFromStore(StoreRead read) throws StoreReadException {
        try {
            return read.read();
        } catch (StoreReadException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreReadException(e);
        }
    }

    /** Counts and hashes the bytes of a file as they pass. */
    private static final class Measured {
        private final MessageDigest digest;
        long bytes;
        long rows;

        Measured() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private String sha256;

        /** Whether the digest was taken: nothing more can be hashed. */
        boolean finished() {
            return sha256 != null;
        }

        /** The SHA-256 of everything that passed, in hex; the stream must not be used after. */
        String sha256() {
            if (sha256 == null) {
                sha256 = HexFormat.of().formatHex(digest.digest());
            }
            return sha256;
        }

        /** The stream to write to; closing it leaves {@code out} open, as the archive store wants. */
        OutputStream wrap(OutputStream out) {
            return new FilterOutputStream(out) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    digest.update((byte) b);
                    bytes++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    digest.update(b, off, len);
                    bytes += len;
                }

                @Override
                public void close() throws IOException {
                    out.flush();
                }
            };
        }

        InputStream wrap(InputStream in) {
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    int b = readFromStore(() -> in.read());
                    if (b >= 0) {
                        digest.update((byte) b);
                        bytes++;
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = readFromStore(() -> in.read(b, off, len));
                    if (n > 0) {
                        digest.update(b, off, n);
                        bytes += n;
                    }
                    return n;
                }

                @Override
                public long skip(long n) throws IOException {
                    // Skipped bytes must be hashed too.
                    return n <= 0 ? 0 : Math.max(0, read(new byte[(int) Math.min(n, 8192)]));
                }

                @Override
                public boolean markSupported() {
                    return false; // a reset would hash bytes twice
                }
            };
        }
    }
}
