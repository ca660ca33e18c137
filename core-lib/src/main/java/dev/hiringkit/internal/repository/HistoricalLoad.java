package dev.hiringkit.internal.repository;

import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.internal.csv.CsvReader;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.db.IdempotencyKeys;
import dev.hiringkit.internal.db.SchemaKeys;
import dev.hiringkit.internal.db.SideTask;
import dev.hiringkit.internal.db.TableLease;
import dev.hiringkit.internal.db.Transactions;
import dev.hiringkit.internal.repository.LoadLog.LoadRow;
import dev.hiringkit.internal.repository.LoadLog.Totals;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.LoadStatus;
import dev.hiringkit.validation.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One historical load of one CSV source into one table.
 *
 * <p>Records are checked in the JVM against the data rules, with the stored ids held in bitmaps, and
 * the valid ones are streamed to PostgreSQL with COPY, a chunk per transaction; a thread of its own
 * reads, checks and encodes them ({@link ReadAhead}), one chunk ahead while the last one commits. Each chunk's commit
 * also stores a checkpoint (records, bytes and checksum consumed), so a load that dies resumes after
 * its last chunk and ends as one clean run would have. For a large load the foreign keys and the
 * report index of hired_employees are dropped, since checking them per row costs far more than the
 * load itself; they are put back and validated in one pass at the end (see afterMigrate.sql).
 *
 * <p>Into a table that holds few rows next to what the source brings, the primary key goes too: kept live it
 * more than doubled PostgreSQL's work on the COPY (1M rows: 0.55 s of server CPU into the bare table,
 * 1.27-1.41 s with the key), where building it at the end costs 0.17 s per 1M rows of the whole table.
 * That is safe because the drop comes with {@link SchemaKeys}' guard: every other writer of the table is
 * refused (a batch gets {@code TABLE_BUSY}, to retry) until the key is back, and the stored ids are read
 * again once it is in place, so the load's own checks keep every id unique. Lookups by id scan the
 * table meanwhile.
 */
final class HistoricalLoad {

    private static final Logger LOG = LoggerFactory.getLogger(HistoricalLoad.class);

    /**
     * A source this large (about 150,000 records) is loaded without the foreign keys and the report index
     * from its first chunk; one of unknown size, from its second.
     */
    private static final long BULK_BYTES = 8L << 20;
    /**
     * What a record of hired_employees takes in a CSV source, to tell how many rows a source brings from
     * its size (the generated files: 48 bytes); rounded up, so the estimate errs towards keeping the key.
     */
    private static final long BYTES_PER_RECORD = 64;
    /**
     * How long a load waits for another running load of its table to end before it gives up; a lease
     * left by a process that died is waited for until it expires (see {@link TableLease}).
     */
    private static final int LOCK_WAIT_SECONDS = 10;

    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final DataSource dataSource;
    private final Validator validator;
    private final ArchiveStore archive;
    private final RejectionLog log;
    private final SchemaKeys keys;
    private final IdempotencyKeys idempotency;
    private final LoadLog loads;

    HistoricalLoad(DataSource dataSource, Validator validator, ArchiveStore archive, RejectionLog log, SchemaKeys keys,
            IdempotencyKeys idempotency, LoadLog loads) {
        this.dataSource = dataSource;
        this.validator = validator;
        this.archive = archive;
        this.log = log;
        this.keys = keys;
        this.idempotency = idempotency;
        this.loads = loads;
    }

    LoadResult run(Table table, String source, String sourceName, InputStream in, long totalBytes, LoadOptions options) {
        try {
            return runLocked(table, source, sourceName, in, totalBytes, options);
        } catch (HiringException e) {
            // Sent again while the load its key names still runs (elsewhere): that load, not a second one.
            Optional<IdempotencyKeys.Claim> claim = claim(table, source, options);
            if (e.code() == Code.LOAD_IN_PROGRESS && claim.isPresent()) {
                Optional<UUID> keyed = keyedLoad(claim.get());
                if (keyed.isPresent()) {
                    return replay(keyed.get());
                }
            }
            throw e;
        } finally {
            if (options.idempotencyKey().isPresent()) {
                idempotency.purgeExpiredIfDue(dataSource);
            }
        }
    }

    private LoadResult runLocked(Table table, String source, String sourceName, InputStream in, long totalBytes,
            LoadOptions options) {
        long startNanos = System.nanoTime();
        options.progress().started(table, source, totalBytes);
        // The lease first: a load waiting for it holds no connection of the pool.
        try (TableLease lease = TableLease.acquire(dataSource, table, Duration.ofSeconds(LOCK_WAIT_SECONDS));
                Connection connection = dataSource.getConnection()) {
            boolean bulk = false;
            LoadRow row = null;
            try {
                row = findOrCreate(connection, table, source, options);
                if (row.replay()) {
                    // Nothing is recorded: the answer is the load the key names, as it is.
                    LoadRow done = row;
                    row = null;
                    return replay(done.id());
                }
                options.progress().recorded(row.id());
                Totals totals = row.totals();
                StoredIds stored = new StoredIds();
                connection.setAutoCommit(false);
                stored.refresh(connection, table);
                connection.commit();
                Validator.Scope scope = validator.scope(stored);
                if (table == Table.HIRED_EMPLOYEES && !large(totals, totalBytes) && keys.isGuarded(connection)) {
                    // A load that died without its keys: this one holds the lease, so they are put back first.
                    keys.restore(connection);
                }
                LOG.debug("{}: reading from {} ms after the start", source, (System.nanoTime() - startNanos) / 1_000_000);
                try (CsvReader reader = new CsvReader(in)) {
                    skipCommitted(reader, row);
                    try (ReadAhead ahead = new ReadAhead(table, reader, scope, options, totals)) {
                        boolean more = true;
                        for (int chunks = 1; more; chunks++) {
                            if (large(totals, totalBytes) && !bulk && table == Table.HIRED_EMPLOYEES) {
                                bulk = true;
                                keys.dropForBulkLoad(connection, row.id(), keyless(stored, totals, totalBytes));
                                // Read again behind the guard: a batch may have stored ids since the first read.
                                stored.refresh(connection, table);
                            }
                            if (table == Table.HIRED_EMPLOYEES) {
                                // Departments and jobs stored meanwhile count; the reader sees them from its next record.
                                stored.refresh(connection, Table.DEPARTMENTS);
                                stored.refresh(connection, Table.JOBS);
                            }
                            // Behind the guard the stored ids stay as read, so the next chunk can be read while
                            // this one commits; before, chunk by chunk.
                            ahead.allow(bulk ? chunks + 1 : chunks);
                            long chunkStart = System.nanoTime();
                            more = chunk(connection, table, row, ahead, options, lease, bulk);
                            LOG.debug("{}: chunk committed in {} ms, {} records so far", source,
                                    (System.nanoTime() - chunkStart) / 1_000_000, totals.recordsDone);
                            options.progress().chunkCommitted(table, totals.bytesDone, totalBytes, totals.rowsRead);
                        }
                    }
                }
                Optional<String> rejectsKey = totals.rejected == 0 ? Optional.empty() : Optional.of("rejects/"
                        + table.sqlName() + "/" + sourceName + "-" + FILE_TIME.format(row.startedAt()) + ".csv");
                // The rejects file reads only committed rows: after a bulk load it is written beside the key
                // builds, on a connection of its own (1M rows, 20,000 rejected: 0.26 s otherwise added).
                SideTask rejects = null;
                if (bulk && rejectsKey.isPresent()) {
                    UUID loadId = row.id();
                    rejects = SideTask.start("hiring-rejects-file", () -> {
                        try (Connection second = dataSource.getConnection()) {
                            log.writeRejectsFile(second, loadId, archive, rejectsKey.get());
                        }
                        return null;
                    });
                }
                if (bulk || table == Table.HIRED_EMPLOYEES) {
                    long restoreStart = System.nanoTime();
                    try {
                        if (bulk) {
                            keys.restoreAfterBulkLoad(dataSource, connection);
                        } else {
                            keys.restore(connection);
                        }
                    } catch (SQLException | RuntimeException e) {
                        if (rejects != null) {
                            rejects.awaitAfter(e);
                        }
                        throw e;
                    }
                    bulk = false;
                    LOG.debug("{}: keys and index restored in {} ms", source, (System.nanoTime() - restoreStart) / 1_000_000);
                }
                if (rejectsKey.isPresent() && (rejects == null || !rejects.succeeded())) {
                    // Not written beside the keys (a pool with no connection to spare, say): here, as before.
                    log.writeRejectsFile(connection, row.id(), archive, rejectsKey.get());
                }
                Optional<String> rejectsFile = rejectsKey.map(archive::locate);
                finish(connection, row, rejectsFile.orElse(null));
                LOG.debug("{}: done {} ms after the start", source, (System.nanoTime() - startNanos) / 1_000_000);
                return new LoadResult(row.id(), table, source, LoadStatus.DONE, totals.rowsRead, totals.inserted, totals.rejected,
                        totals.byCode, rejectsFile, Duration.ofNanos(System.nanoTime() - startNanos),
                        Optional.ofNullable(row.madeBy()));
            } catch (SQLException e) {
                markFailed(connection, row);
                throw translate(e, table, source);
            } catch (IOException e) {
                markFailed(connection, row);
                throw new HiringException(Code.SOURCE_NOT_FOUND, "Could not read " + source + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                markFailed(connection, row);
                throw e;
            } finally {
                if (bulk) {
                    restoreQuietly(connection);
                }
            }
        } catch (SQLException e) {
            throw DatabaseFailures.translate("Load of " + source + " failed", e);
        }
    }

    /** A source this large, or one a load began before, is loaded without the keys of hired_employees. */
    private static boolean large(Totals totals, long totalBytes) {
        return totals.recordsDone > 0 || totalBytes >= BULK_BYTES;
    }

    /**
     * Whether the primary key goes too: building it at the end (0.17 s of server CPU per 1M rows of the
     * whole table) must cost less than keeping it live (0.7-0.9 s more per 1M rows loaded), so when the
     * table holds at most 3 times the rows still to come: an empty table, the first part of this same load,
     * never a large table topped up. A source of unknown size is taken to bring as much again as it has.
     * (Only into an empty table, the simpler rule, would keep the key for a resumed load, half of whose
     * rows are stored; the guard is needed either way, as a batch could store an id during any load.)
     */
    private static boolean keyless(StoredIds stored, Totals totals, long totalBytes) {
        long coming = totalBytes > 0 ? (totalBytes - totals.bytesDone) / BYTES_PER_RECORD : totals.inserted;
        return stored.count(Table.HIRED_EMPLOYEES) <= 3 * coming;
    }

    /**
     * Stores one chunk, as the reader reads it, in one transaction with its rejections and checkpoint;
     * false once the input is exhausted.
     */
    private boolean chunk(Connection connection, Table table, LoadRow row, ReadAhead ahead, LoadOptions options,
            TableLease lease, boolean bulk) throws SQLException, IOException {
        connection.setAutoCommit(false);
        if (bulk) {
            keys.markBulkLoad(connection, row.id()); // past the guard: this transaction is the load's
        }
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(LoadRecords.copySql(table));
        ReadAhead.ChunkEnd end;
        try {
            end = send(ahead, copy);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        // The rejected records name who ran this chunk: a resumed load may be resumed by someone else.
        log.copy(connection, row.id(), "LOAD", row.source(), table, end.rejections(), options.madeBy().orElse(null));
        row.totals().setFrom(end.totals());
        loads.saveCheckpoint(connection, row);
        // Last, so the lease row stays locked only for the commit: a chunk never commits once another
        // load holds the table.
        lease.confirm(connection);
        connection.commit();
        return end.more();
    }

    /** Sends the chunk's encoded rows as the reader hands them over; answers the chunk's end. */
    private static ReadAhead.ChunkEnd send(ReadAhead ahead, CopyIn copy) throws SQLException, IOException {
        while (true) {
            ReadAhead.Piece piece = ahead.take();
            if (piece instanceof ReadAhead.Bytes bytes) {
                copy.writeToCopy(bytes.bytes(), 0, bytes.length());
                ahead.recycle(bytes.bytes());
            } else {
                return (ReadAhead.ChunkEnd) piece;
            }
        }
    }

    // ---- the run's loads row: its idempotency key, resuming, finishing ------------------------------

    /** The operation a load's idempotency key is recorded for. */
    static final String OPERATION = "load";

    /** The key of a keyed load: the request is the table, the source (and its bytes' hash, when given) and how it is read. */
    private static Optional<IdempotencyKeys.Claim> claim(Table table, String source, LoadOptions options) {
        return options.idempotencyKey().map(key -> new IdempotencyKeys.Claim(options.madeBy().orElse(null), key,
                OPERATION, IdempotencyKeys.sha256(table.sqlName(), source, options.header().name(),
                        Boolean.toString(options.restart()), options.contentSha256().orElse(""))));
    }

    /**
     * The loads row of this run, with the key (if any) recorded in the transaction that creates or resumes
     * it. A key recorded before names its load: a DONE one is replayed, any other is resumed (this run holds
     * the table's lock, so no one else runs it), never restarted.
     */
    private LoadRow findOrCreate(Connection connection, Table table, String source, LoadOptions options)
            throws SQLException {
        Optional<IdempotencyKeys.Claim> claim = claim(table, source, options);
        if (claim.isEmpty()) {
            connection.setAutoCommit(true);
            return loads.findOrCreate(connection, table, source, options.madeBy().orElse(null), options.restart());
        }
        connection.setAutoCommit(true);
        return Transactions.inTransaction(connection, () -> {
            Optional<String> stored = idempotency.claim(connection, claim.get());
            if (stored.isPresent()) {
                UUID keyed = StoredResults.loadId(stored.get());
                if (loads.isDone(connection, keyed)) {
                    return new LoadRow(keyed, source, Instant.now(), new Totals(), null, true);
                }
            }
            LoadRow row = loads.findOrCreate(connection, table, source, options.madeBy().orElse(null),
                    options.restart() && stored.isEmpty());
            idempotency.complete(connection, claim.get(), StoredResults.json(row.id()));
            return row;
        });
    }

    /** The load a key names, when the key is recorded (with this request). */
    private Optional<UUID> keyedLoad(IdempotencyKeys.Claim claim) {
        try (Connection connection = dataSource.getConnection()) {
            return idempotency.find(connection, claim).map(StoredResults::loadId);
        } catch (SQLException e) {
            throw DatabaseFailures.translate("Looking up the idempotency key of a load failed", e);
        }
    }

    private LoadResult replay(UUID loadId) {
        return StoredResults.replay(loads.find(loadId).orElseThrow(() -> new HiringException(Code.DATABASE_ERROR,
                "The load " + loadId + " an idempotency key names is not recorded")));
    }

    /** Reads past the records an interrupted run committed, checking they are the same bytes. */
    private static void skipCommitted(CsvReader reader, LoadRow row) throws IOException {
        Totals totals = row.totals();
        while (reader.records() < totals.recordsDone && reader.next()) {
            // already stored by the interrupted run
        }
        if (reader.records() != totals.recordsDone || reader.bytesRead() != totals.bytesDone
                || reader.checksum() != totals.checksum) {
            throw new HiringException(Code.SOURCE_CHANGED, "An interrupted load (" + row.id() + ") of " + row.source()
                    + " committed its first " + totals.recordsDone + " records, but this input differs from it"
                    + " in them. Load it with restart to start a new load; rows already stored stay.");
        }
    }

    /** Records the load's end; its rejects file is null when it has none. */
    private void finish(Connection connection, LoadRow row, String rejectsFile) throws SQLException {
        connection.setAutoCommit(true);
        loads.finish(connection, row, LoadStatus.DONE, rejectsFile);
    }

    // ---- failures -------------------------------------------------------------------

    /** Rolls back the open chunk and records the failure; a later run of the same source resumes it. */
    private void markFailed(Connection connection, LoadRow row) {
        rollbackQuietly(connection);
        if (row == null) {
            return;
        }
        try {
            connection.setAutoCommit(true);
            loads.setStatus(connection, row.id(), LoadStatus.FAILED);
        } catch (SQLException ignored) {
            // The connection is gone; the load stays RUNNING, which resumes the same way.
        }
    }

    private void restoreQuietly(Connection connection) {
        try {
            rollbackQuietly(connection);
            keys.restore(connection);
        } catch (SQLException ignored) {
            // The next load or migration puts the keys back (afterMigrate.sql).
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // The connection is going away; the transaction dies with it.
        }
    }

    private static HiringException translate(SQLException e, Table table, String source) {
        if ("23505".equals(e.getSQLState())) {
            return new HiringException(Code.DATABASE_ERROR, "While loading " + source + ", another writer inserted"
                    + " into " + table.sqlName() + " an id this load also carries. The chunk was rolled back;"
                    + " run the load again to resume after the last committed chunk.", e);
        }
        return DatabaseFailures.translate("Load of " + source + " failed", "Load of " + source + " stopped",
                "The chunks committed before it stopped are kept; a new load of the same source resumes after them.",
                e);
    }
}
