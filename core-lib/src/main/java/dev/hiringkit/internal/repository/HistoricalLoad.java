package dev.hiringkit.internal.repository;

import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.internal.csv.CsvReader;
import dev.hiringkit.internal.db.CopyBuffer;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.db.IdempotencyKeys;
import dev.hiringkit.internal.db.SchemaKeys;
import dev.hiringkit.internal.db.TableLease;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Row;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.validation.Checked;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Validator;
import dev.hiringkit.validation.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One historical load of one CSV source into one table.
 *
 * <p>Records are checked in the JVM against the data rules, with the stored ids held in bitmaps, and
 * the valid ones are streamed to PostgreSQL with COPY, a chunk per transaction. Each chunk's commit
 * also stores a checkpoint (records, bytes and checksum consumed), so a load that dies resumes after
 * its last chunk and ends as one clean run would have. For a large load the foreign keys and the
 * report index of hired_employees are dropped, since checking them per row costs far more than the
 * load itself; they are put back and validated in one pass at the end (see afterMigrate.sql).
 */
final class HistoricalLoad {

    private static final Logger LOG = LoggerFactory.getLogger(HistoricalLoad.class);

    /**
     * A source this large (about 150,000 records) is loaded without the foreign keys and the report index
     * from its first chunk; one of unknown size, from its second.
     */
    private static final long BULK_BYTES = 8L << 20;
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
    /** A recorded load as the loads table has it now. */
    private final Function<UUID, Optional<LoadResult>> recorded;

    HistoricalLoad(DataSource dataSource, Validator validator, ArchiveStore archive, RejectionLog log, SchemaKeys keys,
            IdempotencyKeys idempotency, Function<UUID, Optional<LoadResult>> recorded) {
        this.dataSource = dataSource;
        this.validator = validator;
        this.archive = archive;
        this.log = log;
        this.keys = keys;
        this.idempotency = idempotency;
        this.recorded = recorded;
    }

    /** The running totals of a load, also its checkpoint. */
    private static final class Totals {
        long recordsDone;
        long bytesDone;
        long checksum;
        long rowsRead;
        long inserted;
        long rejected;
        final Map<ReasonCode, Long> byCode = new EnumMap<>(ReasonCode.class);
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
                if (row.replay) {
                    // Nothing is recorded: the answer is the load the key names, as it is.
                    LoadRow done = row;
                    row = null;
                    return replay(done.id);
                }
                options.progress().recorded(row.id);
                Totals totals = row.totals;
                StoredIds stored = new StoredIds();
                connection.setAutoCommit(false);
                stored.refresh(connection, table);
                connection.commit();
                Validator.Scope scope = validator.scope(stored);
                try (CsvReader reader = new CsvReader(in)) {
                    skipCommitted(reader, row);
                    boolean more = true;
                    boolean headerChecked = reader.records() > 0;
                    while (more) {
                        boolean large = totals.recordsDone > 0 || totalBytes >= BULK_BYTES;
                        if (large && !bulk && table == Table.HIRED_EMPLOYEES) {
                            keys.dropForBulkLoad(connection);
                            bulk = true;
                        }
                        if (table == Table.HIRED_EMPLOYEES) {
                            stored.refresh(connection, Table.DEPARTMENTS);
                            stored.refresh(connection, Table.JOBS);
                        }
                        long chunkStart = System.nanoTime();
                        more = chunk(connection, table, row, reader, scope, options, !headerChecked, lease);
                        LOG.debug("{}: chunk committed in {} ms, {} records so far", source,
                                (System.nanoTime() - chunkStart) / 1_000_000, totals.recordsDone);
                        headerChecked = true;
                        options.progress().update(totals.bytesDone, totalBytes, totals.rowsRead);
                    }
                }
                if (bulk || table == Table.HIRED_EMPLOYEES) {
                    long restoreStart = System.nanoTime();
                    keys.restore(connection);
                    bulk = false;
                    LOG.debug("{}: keys and index restored in {} ms", source, (System.nanoTime() - restoreStart) / 1_000_000);
                }
                Optional<String> rejectsFile = Optional.empty();
                if (totals.rejected > 0) {
                    String key = "rejects/" + table.sqlName() + "/" + sourceName + "-"
                            + FILE_TIME.format(row.startedAt) + ".csv";
                    log.writeRejectsFile(connection, row.id, archive, key);
                    rejectsFile = Optional.of(archive.locate(key));
                }
                finish(connection, row, "DONE", rejectsFile.orElse(null));
                return new LoadResult(row.id, table, source, "DONE", totals.rowsRead, totals.inserted, totals.rejected,
                        totals.byCode, rejectsFile, Duration.ofNanos(System.nanoTime() - startNanos),
                        Optional.ofNullable(row.madeBy));
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

    /** Reads and stores one chunk in one transaction; false once the input is exhausted. */
    private boolean chunk(Connection connection, Table table, LoadRow row, CsvReader reader,
            Validator.Scope scope, LoadOptions options, boolean firstRecordMayBeHeader, TableLease lease)
            throws SQLException, IOException {
        Totals totals = row.totals;
        connection.setAutoCommit(false);
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql(table));
        CopyBuffer out = new CopyBuffer();
        out.start(copy);
        List<RejectionLog.Entry> rejections = new ArrayList<>();
        boolean more = true;
        try {
            int read = 0;
            while (read < options.chunkSize()) {
                if (!reader.next()) {
                    more = false;
                    break;
                }
                read++;
                if (firstRecordMayBeHeader && reader.records() == 1 && isHeader(table, reader.fields(), options)) {
                    continue;
                }
                totals.rowsRead++;
                List<Violation> violations = check(table, reader, scope, out);
                if (violations.isEmpty()) {
                    totals.inserted++;
                } else {
                    totals.rejected++;
                    violations.stream().map(Violation::code).distinct()
                            .forEach(code -> totals.byCode.merge(code, 1L, Long::sum));
                    rejections.add(new RejectionLog.Entry(reader.line(), reader.raw(), violations));
                }
            }
            out.finish();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        // The rejected records name who ran this chunk: a resumed load may be resumed by someone else.
        log.copy(connection, row.id, "LOAD", row.source, table, rejections, options.madeBy().orElse(null));
        totals.recordsDone = reader.records();
        totals.bytesDone = reader.bytesRead();
        totals.checksum = reader.checksum();
        saveCheckpoint(connection, row);
        // Last, so the lease row stays locked only for the commit: a chunk never commits once another
        // load holds the table.
        lease.confirm(connection);
        connection.commit();
        return more;
    }

    /** Checks one record; a valid one is written to the COPY stream. */
    private List<Violation> check(Table table, CsvReader reader, Validator.Scope scope, CopyBuffer out)
            throws SQLException {
        if (reader.problem() != null) {
            return List.of(problem(reader.problem()));
        }
        Checked<Row> checked = scope.admit(table, reader.fields());
        if (checked.valid()) {
            encode(checked.row(), out);
        }
        return checked.violations();
    }

    private static void encode(Row row, CopyBuffer out) throws SQLException {
        if (row instanceof HiredEmployee e) {
            out.row(5).int4(e.id()).text(e.name()).timestamptz(e.datetime()).int4(e.departmentId()).int4(e.jobId());
        } else if (row instanceof Department d) {
            out.row(2).int4(d.id()).text(d.department());
        } else if (row instanceof Job j) {
            out.row(2).int4(j.id()).text(j.job());
        }
        out.endRow();
    }

    private static Violation problem(CsvReader.Problem problem) {
        return switch (problem) {
            case BAD_QUOTING -> new Violation("record", ReasonCode.BAD_QUOTING,
                    "the record's quotes are unbalanced, text follows a closing quote, or a line break outside quotes"
                            + " is a lone CR");
            case BAD_ENCODING -> new Violation("record", ReasonCode.BAD_ENCODING,
                    "the record is not valid UTF-8 or contains a NUL character");
            case TOO_LONG -> new Violation("record", ReasonCode.RECORD_TOO_LONG,
                    "the record is longer than " + CsvReader.DEFAULT_MAX_RECORD_BYTES + " bytes");
        };
    }

    private static boolean isHeader(Table table, List<String> fields, LoadOptions options) {
        return switch (options.header()) {
            case PRESENT -> true;
            case ABSENT -> false;
            case DETECT -> fields.size() == table.columns().size()
                    && java.util.stream.IntStream.range(0, fields.size())
                            .allMatch(i -> fields.get(i).trim().equalsIgnoreCase(table.columns().get(i)));
        };
    }

    private static String copySql(Table table) {
        return CopyBuffer.copySql(table.sqlName(), String.join(", ", table.columns()));
    }

    // ---- the loads table: identity, checkpoint, resume --------------------------------------

    /**
     * The loads row of this run: a new one, or the interrupted load of the same source being resumed. A
     * resumed load keeps the {@code madeBy} of whoever started it.
     */
    private record LoadRow(UUID id, String source, Instant startedAt, Totals totals, String madeBy, boolean replay) {

        LoadRow(UUID id, String source, Instant startedAt, Totals totals, String madeBy) {
            this(id, source, startedAt, totals, madeBy, false);
        }
    }

    // ---- idempotency keys ---------------------------------------------------------------------------

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
            return findOrCreateRow(connection, table, source, options, options.restart());
        }
        connection.setAutoCommit(false);
        try {
            Optional<String> stored = idempotency.claim(connection, claim.get());
            boolean restart = options.restart();
            if (stored.isPresent()) {
                UUID keyed = StoredResults.loadId(stored.get());
                if (isDone(connection, keyed)) {
                    connection.commit();
                    connection.setAutoCommit(true);
                    return new LoadRow(keyed, source, Instant.now(), new Totals(), null, true);
                }
                restart = false;
            }
            LoadRow row = findOrCreateRow(connection, table, source, options, restart);
            idempotency.complete(connection, claim.get(), StoredResults.json(row.id));
            connection.commit();
            connection.setAutoCommit(true);
            return row;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection);
            throw e;
        }
    }

    private static boolean isDone(Connection connection, UUID loadId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT status FROM loads WHERE id = ?")) {
            select.setObject(1, loadId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() && "DONE".equals(rs.getString(1));
            }
        }
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
        return StoredResults.replay(recorded.apply(loadId).orElseThrow(() -> new HiringException(Code.DATABASE_ERROR,
                "The load " + loadId + " an idempotency key names is not recorded")));
    }

    private LoadRow findOrCreateRow(Connection connection, Table table, String source, LoadOptions options,
            boolean restartAsked) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, started_at, records_done, bytes_done, prefix_crc, inserted, rejected, rejected_by_code::text,"
                        + " made_by FROM loads WHERE table_name = ? AND source = ? AND status <> 'DONE'"
                        + " ORDER BY started_at DESC LIMIT 1")) {
            select.setString(1, table.sqlName());
            select.setString(2, source);
            try (ResultSet rs = select.executeQuery()) {
                if (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    if (!restartAsked) {
                        Totals totals = new Totals();
                        totals.recordsDone = rs.getLong(3);
                        totals.bytesDone = rs.getLong(4);
                        totals.checksum = rs.getLong(5);
                        totals.inserted = rs.getLong(6);
                        totals.rejected = rs.getLong(7);
                        totals.byCode.putAll(log.countsFromJson(rs.getString(8)));
                        totals.rowsRead = totals.inserted + totals.rejected;
                        setStatus(connection, id, "RUNNING");
                        return new LoadRow(id, source, rs.getTimestamp(2).toInstant(), totals, rs.getString(9));
                    }
                    setStatus(connection, id, "FAILED");
                }
            }
        }
        // Whole seconds: the start time names the rejects file, and a resumed load must find the same name.
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        UUID id = UUID.randomUUID();
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO loads (id, table_name, source, status, started_at, made_by)"
                        + " VALUES (?, ?, ?, 'RUNNING', ?, ?)")) {
            insert.setObject(1, id);
            insert.setString(2, table.sqlName());
            insert.setString(3, source);
            insert.setTimestamp(4, Timestamp.from(now));
            insert.setString(5, options.madeBy().orElse(null));
            insert.executeUpdate();
        }
        return new LoadRow(id, source, now, new Totals(), options.madeBy().orElse(null));
    }

    /** Reads past the records an interrupted run committed, checking they are the same bytes. */
    private static void skipCommitted(CsvReader reader, LoadRow row) throws IOException {
        Totals totals = row.totals;
        while (reader.records() < totals.recordsDone && reader.next()) {
            // already stored by the interrupted run
        }
        if (reader.records() != totals.recordsDone || reader.bytesRead() != totals.bytesDone
                || reader.checksum() != totals.checksum) {
            throw new HiringException(Code.SOURCE_CHANGED, "An interrupted load (" + row.id + ") of " + row.source
                    + " committed its first " + totals.recordsDone + " records, but this input differs from it"
                    + " in them. Load it with restart to start a new load; rows already stored stay.");
        }
    }

    private void saveCheckpoint(Connection connection, LoadRow row) throws SQLException {
        Totals t = row.totals;
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE loads SET records_done = ?, bytes_done = ?, prefix_crc = ?, inserted = ?, rejected = ?,"
                        + " rejected_by_code = ?::jsonb WHERE id = ?")) {
            update.setLong(1, t.recordsDone);
            update.setLong(2, t.bytesDone);
            update.setLong(3, t.checksum);
            update.setLong(4, t.inserted);
            update.setLong(5, t.rejected);
            update.setString(6, log.countsToJson(t.byCode));
            update.setObject(7, row.id);
            update.executeUpdate();
        }
    }

    private static void setStatus(Connection connection, UUID id, String status) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE loads SET status = ? WHERE id = ?")) {
            update.setString(1, status);
            update.setObject(2, id);
            update.executeUpdate();
        }
    }

    private static void finish(Connection connection, LoadRow row, String status, String rejectsFile)
            throws SQLException {
        connection.setAutoCommit(true);
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE loads SET status = ?, finished_at = now(), rejects_file = ? WHERE id = ?")) {
            update.setString(1, status);
            update.setString(2, rejectsFile);
            update.setObject(3, row.id);
            update.executeUpdate();
        }
    }

    // ---- failures -------------------------------------------------------------------

    /** Rolls back the open chunk and records the failure; a later run of the same source resumes it. */
    private static void markFailed(Connection connection, LoadRow row) {
        rollbackQuietly(connection);
        if (row == null) {
            return;
        }
        try {
            connection.setAutoCommit(true);
            setStatus(connection, row.id, "FAILED");
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
