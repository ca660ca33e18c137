package dev.hiringkit.internal.archive;

import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveProgress;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.internal.db.BinaryCopyReader;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.db.Jooq;
import dev.hiringkit.internal.db.Transactions;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a backup: each table streamed with {@code COPY ... TO STDOUT (FORMAT binary)} into an Avro
 * container file, field by field, all from one snapshot; then the manifest, which makes it complete.
 */
final class BackupWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BackupWriter.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter ID_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    /** Zstandard at level 3 writes faster than deflate at level 1 and about as small as deflate at 6. */
    private static final String CODEC = "zstandard";
    private static final int ZSTD_LEVEL = 3;
    /** Larger blocks compress better; a block is held in memory while it is written or read. */
    private static final int BLOCK_BYTES = 1 << 20;

    private final DataSource dataSource;
    private final ArchiveStore store;
    private final ArchiveProgress progress;

    BackupWriter(DataSource dataSource, ArchiveStore store, ArchiveProgress progress) {
        this.dataSource = dataSource;
        this.store = store;
        this.progress = progress;
    }

    /** Backs up the tables, parents first; a backup that fails leaves no files behind when it can. */
    Backup write(List<Table> chosen) {
        Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = freeId(createdAt);
        try {
            return write(chosen, id, createdAt);
        } catch (RuntimeException e) {
            // Without its manifest the backup is never used: its files would only take space. The manifest
            // goes first (a write reported failed may have happened); if it cannot, the files stay.
            try {
                store.delete(BackupKeys.manifest(id));
                for (Table table : chosen) {
                    store.delete(BackupKeys.file(id, table));
                }
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Backup write(List<Table> chosen, String id, Instant createdAt) {
        List<Backup.TableFile> files = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            // One snapshot for every table: rows written meanwhile never tear the backup.
            Transactions.inTransaction(connection, () -> {
                // For this transaction only: the driver's setTransactionIsolation sets it for the session,
                // which a transaction pooler would pass on to other clients.
                // (Transaction and LOCK statements stay SQL: jOOQ writes neither.)
                execute(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                // LOCK takes no snapshot: the snapshot (taken by the first COPY) then comes after any
                // restore that holds the tables has committed, never from before it.
                execute(connection, "LOCK TABLE " + Archiving.names(chosen) + " IN ACCESS SHARE MODE");
                for (Table table : chosen) {
                    files.add(writeTable(connection, table, id));
                }
                return null;
            });
        } catch (SQLException e) {
            throw DatabaseFailures.translate("The backup " + id + " failed", e);
        }
        Backup backup = new Backup(id, createdAt, CODEC, files);
        try {
            byte[] manifest = BackupManifest.write(backup);
            store.write(BackupKeys.manifest(id), out -> out.write(manifest));
        } catch (IOException e) {
            throw ArchiveFailures.archiveError("The backup " + id + " could not write its manifest", e);
        }
        LOG.debug("Backup {} written: {}", id, files.stream()
                .map(f -> f.table().sqlName() + " " + f.rows() + " rows").collect(Collectors.joining(", ")));
        return backup;
    }

    private Backup.TableFile writeTable(Connection connection, Table table, String id) throws SQLException {
        Schema schema = AvroTables.schema(table);
        List<AvroTables.Kind> kinds = AvroTables.kinds(schema);
        String key = BackupKeys.file(id, table);
        // COPY, which jOOQ does not write.
        String sql = "COPY " + table.sqlName() + " (" + String.join(", ", table.columns()) + ") TO STDOUT (FORMAT binary)";
        PGConnection pg = connection.unwrap(PGConnection.class);
        FileChecksum written = new FileChecksum();
        long expected = estimatedRows(connection, table);
        progress.rows(table, 0, expected);
        try {
            store.write(key, out -> {
                try (PGCopyInputStream copy = new PGCopyInputStream(pg, sql);
                        DataFileWriter<BinaryCopyReader> writer = new DataFileWriter<>(new CopyRowWriter(kinds))) {
                    BinaryCopyReader rows = new BinaryCopyReader(copy);
                    writer.setCodec(CodecFactory.zstandardCodec(ZSTD_LEVEL));
                    writer.setSyncInterval(BLOCK_BYTES);
                    writer.create(schema, written.wrap(out));
                    while (rows.next(kinds.size())) {
                        try {
                            writer.append(rows);
                        } catch (DataFileWriter.AppendWriteException e) {
                            if (e.getCause() instanceof IOException io) {
                                throw io;
                            }
                            throw e;
                        }
                        if (++written.rows % Archiving.PROGRESS_ROWS == 0) {
                            progress.rows(table, written.rows, expected);
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
            throw ArchiveFailures.archiveError("Writing " + store.locate(key) + " failed", e);
        }
        progress.rows(table, written.rows, written.rows);
        return new Backup.TableFile(table, key, written.rows, written.bytes, written.sha256(),
                AvroTables.fingerprint(schema));
    }

    /** PostgreSQL's estimate of a table's rows (from its last VACUUM or ANALYZE); -1 when it has none. */
    private static long estimatedRows(Connection connection, Table table) throws SQLException {
        // pg_class is the catalog, outside the generated code; the regclass cast is PostgreSQL's own.
        Long estimate = Jooq.on(connection, sql -> sql
                .select(DSL.field(DSL.name("reltuples")).cast(SQLDataType.BIGINT)).from(DSL.table(DSL.name("pg_class")))
                .where(DSL.field(DSL.name("oid")).eq(DSL.field("{0}::regclass", Object.class, DSL.val(table.sqlName()))))
                .fetchOne(0, Long.class));
        return estimate == null ? -1 : Math.max(-1, estimate);
    }

    /** A backup id not taken yet: the creation time and a random suffix, so ids sort by age. */
    private String freeId(Instant createdAt) {
        try {
            while (true) {
                String id = ID_FORMAT.format(createdAt) + "-" + HexFormat.of().toHexDigits((short) RANDOM.nextInt());
                if (store.list(BackupKeys.folder(id)).isEmpty()) {
                    return id;
                }
            }
        } catch (IOException e) {
            throw ArchiveFailures.archiveError("Listing the backups failed", e);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
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
}
