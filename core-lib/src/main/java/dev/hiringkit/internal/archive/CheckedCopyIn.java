package dev.hiringkit.internal.archive;

import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.archive.ArchiveProgress;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.internal.archive.ArchiveFailures.StoreReadException;
import dev.hiringkit.internal.db.CopyBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one backup file into a table with binary COPY, checking it against its manifest as it passes:
 * the file is read once, and one that is not the manifest's (size, SHA-256, schema, rows) fails, which
 * rolls the restore back. A failure says whose it is: the file's (damaged) or the store's.
 */
final class CheckedCopyIn {

    private static final Logger LOG = LoggerFactory.getLogger(CheckedCopyIn.class);

    private final ArchiveStore store;
    private final ArchiveProgress progress;

    CheckedCopyIn(ArchiveStore store, ArchiveProgress progress) {
        this.store = store;
        this.progress = progress;
    }

    /**
     * Streams the file into {@code target} ({@code FREEZE}: into a table emptied in this transaction),
     * hashing its bytes as they pass.
     */
    void copy(Connection connection, Backup.TableFile file, RestoreDownloads reads, String target, boolean freeze)
            throws SQLException, IOException {
        Schema expected = AvroTables.schema(file.table());
        AvroTables.Kind[] kinds = AvroTables.kinds(expected).toArray(AvroTables.Kind[]::new);
        FileChecksum read = new FileChecksum();
        long rows = 0;
        InputStream in;
        try {
            in = read.wrap(reads.open(file));
        } catch (NoSuchFileException e) {
            throw ArchiveFailures.missing(store, file);
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
                if (++rows % Archiving.PROGRESS_ROWS == 0) {
                    progress.rows(file.table(), rows, file.rows());
                }
            }
            in.transferTo(OutputStream.nullOutputStream());
            // The whole file was read: the rows sent are the manifest's before the COPY is committed to.
            checkWhole(file, read);
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
            if (!whole(in, file, read)) {
                throw ArchiveFailures.damaged(store, file, read.mismatch(file));
            }
            if (e instanceof IOException || e instanceof AvroRuntimeException) {
                throw ArchiveFailures.damaged(store, file, "reading it failed (" + e.getMessage() + ")");
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
            throw ArchiveFailures.damaged(store, file, "it holds " + rows + " rows, its manifest says " + file.rows());
        }
        progress.rows(file.table(), rows, file.rows());
    }

    private void checkWhole(Backup.TableFile file, FileChecksum read) {
        if (!read.matches(file)) {
            throw ArchiveFailures.damaged(store, file, read.mismatch(file));
        }
    }

    /** Whether the file, read to its end from where {@code in} stands, has the manifest's size and SHA-256. */
    private static boolean whole(InputStream in, Backup.TableFile file, FileChecksum read) {
        try {
            if (!read.finished()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException e) {
            return true; // unreadable to its end: no verdict on the file; the first failure stands
        }
        return read.matches(file);
    }

    private void checkSchema(Backup.TableFile file, Schema written) {
        Schema expected = AvroTables.schema(file.table());
        if (!written.getFullName().equals(expected.getFullName())) {
            throw new HiringException(Code.SCHEMA_MISMATCH, "The backup file " + store.locate(file.key())
                    + " holds " + written.getFullName() + " records, not " + expected.getFullName()
                    + ": it is not a copy of " + file.table().sqlName());
        }
        if (!AvroTables.fingerprint(written).equals(file.schemaFingerprint())) {
            throw ArchiveFailures.damaged(store, file, "its schema is not the one its manifest names");
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
}
