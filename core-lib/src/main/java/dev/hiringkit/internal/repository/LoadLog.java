package dev.hiringkit.internal.repository;

import static dev.hiringkit.internal.jooq.Tables.LOADS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hiringkit.Table;
import dev.hiringkit.internal.db.Jooq;
import dev.hiringkit.internal.jooq.tables.records.LoadsRecord;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.LoadStatus;
import dev.hiringkit.validation.ReasonCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The loads table: one row per historical load, with its status and its checkpoint (records, bytes and
 * checksum consumed), so that a load that died resumes after its last committed chunk. Writes go through
 * the load's own connection (a checkpoint commits with its chunk); reads through the primary.
 */
final class LoadLog {

    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();
    private static final TypeReference<Map<ReasonCode, Long>> COUNTS = new TypeReference<>() { };

    /** The running totals of a load, also its checkpoint. */
    static final class Totals {
        long recordsDone;
        long bytesDone;
        long checksum;
        long rowsRead;
        long inserted;
        long rejected;
        final Map<ReasonCode, Long> byCode = new EnumMap<>(ReasonCode.class);

        Totals copy() {
            Totals copy = new Totals();
            copy.setFrom(this);
            return copy;
        }

        void setFrom(Totals other) {
            recordsDone = other.recordsDone;
            bytesDone = other.bytesDone;
            checksum = other.checksum;
            rowsRead = other.rowsRead;
            inserted = other.inserted;
            rejected = other.rejected;
            byCode.clear();
            byCode.putAll(other.byCode);
        }
    }

    /**
     * The loads row of a run: a new one, or the interrupted load of the same source being resumed. A
     * resumed load keeps the {@code madeBy} of whoever started it; {@code replay}, that the run is the
     * answer to a key sent again and records nothing.
     */
    record LoadRow(UUID id, String source, Instant startedAt, Totals totals, String madeBy, boolean replay) {

        LoadRow(UUID id, String source, Instant startedAt, Totals totals, String madeBy) {
            this(id, source, startedAt, totals, madeBy, false);
        }
    }

    private final DSLContext primary;

    LoadLog(DataSource primary) {
        this.primary = DSL.using(primary, SQLDialect.POSTGRES);
    }

    // ---- written by a running load, on its connection ----------------------------------------

    /**
     * The row of a load of {@code source}: the latest one not DONE, resumed (RUNNING again), unless a
     * restart is asked, which marks it FAILED; otherwise a new RUNNING row.
     */
    LoadRow findOrCreate(Connection connection, Table table, String source, String madeBy, boolean restartAsked)
            throws SQLException {
        LoadsRecord last = Jooq.on(connection, sql -> sql.selectFrom(LOADS)
                .where(LOADS.TABLE_NAME.eq(table.sqlName()), LOADS.SOURCE.eq(source),
                        LOADS.STATUS.ne(LoadStatus.DONE.name()))
                .orderBy(LOADS.STARTED_AT.desc()).limit(1).fetchOne());
        if (last != null) {
            if (!restartAsked) {
                Totals totals = new Totals();
                totals.recordsDone = last.getRecordsDone();
                totals.bytesDone = last.getBytesDone();
                totals.checksum = last.getPrefixCrc();
                totals.inserted = last.getInserted();
                totals.rejected = last.getRejected();
                totals.byCode.putAll(countsFromJson(last.getRejectedByCode().data()));
                totals.rowsRead = totals.inserted + totals.rejected;
                setStatus(connection, last.getId(), LoadStatus.RUNNING);
                return new LoadRow(last.getId(), source, last.getStartedAt().toInstant(), totals, last.getMadeBy());
            }
            setStatus(connection, last.getId(), LoadStatus.FAILED);
        }
        // Whole seconds: the start time names the rejects file, and a resumed load must find the same name.
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        UUID id = UUID.randomUUID();
        Jooq.on(connection, sql -> sql.insertInto(LOADS)
                .set(LOADS.ID, id)
                .set(LOADS.TABLE_NAME, table.sqlName())
                .set(LOADS.SOURCE, source)
                .set(LOADS.STATUS, LoadStatus.RUNNING.name())
                .set(LOADS.STARTED_AT, now.atOffset(ZoneOffset.UTC))
                .set(LOADS.MADE_BY, madeBy)
                .execute());
        return new LoadRow(id, source, now, new Totals(), madeBy);
    }

    /** Whether the load is recorded as DONE. */
    boolean isDone(Connection connection, UUID loadId) throws SQLException {
        return Jooq.on(connection, sql -> sql.fetchExists(LOADS,
                LOADS.ID.eq(loadId).and(LOADS.STATUS.eq(LoadStatus.DONE.name()))));
    }

    /** Stores the row's totals as its checkpoint, in the caller's transaction (the chunk's). */
    void saveCheckpoint(Connection connection, LoadRow row) throws SQLException {
        Totals t = row.totals();
        Jooq.on(connection, sql -> sql.update(LOADS)
                .set(LOADS.RECORDS_DONE, t.recordsDone)
                .set(LOADS.BYTES_DONE, t.bytesDone)
                .set(LOADS.PREFIX_CRC, t.checksum)
                .set(LOADS.INSERTED, t.inserted)
                .set(LOADS.REJECTED, t.rejected)
                .set(LOADS.REJECTED_BY_CODE, JSON.valueOf(countsToJson(t.byCode)))
                .where(LOADS.ID.eq(row.id()))
                .execute());
    }

    void setStatus(Connection connection, UUID id, LoadStatus status) throws SQLException {
        Jooq.on(connection, sql -> sql.update(LOADS).set(LOADS.STATUS, status.name()).where(LOADS.ID.eq(id)).execute());
    }

    /** Records the load's end, with its rejects file (null when it has none). */
    void finish(Connection connection, LoadRow row, LoadStatus status, String rejectsFile) throws SQLException {
        Jooq.on(connection, sql -> sql.update(LOADS)
                .set(LOADS.STATUS, status.name())
                .set(LOADS.FINISHED_AT, DSL.currentOffsetDateTime())
                .set(LOADS.REJECTS_FILE, rejectsFile)
                .where(LOADS.ID.eq(row.id()))
                .execute());
    }

    // ---- read ------------------------------------------------------------------------------------

    Optional<LoadResult> find(UUID loadId) {
        return primary.selectFrom(LOADS).where(LOADS.ID.eq(loadId)).fetchOptional().map(LoadLog::result);
    }

    /** The latest loads, newest first (a running one before those that ended at its start time). */
    List<LoadResult> recent(int limit) {
        return primary.selectFrom(LOADS).orderBy(LOADS.STARTED_AT.desc(), LOADS.FINISHED_AT.desc().nullsFirst())
                .limit(limit).fetch().map(LoadLog::result);
    }

    /** The latest load of the source into the table, in any status; null when there is none. */
    LoadsRecord last(Table table, String source) {
        return primary.selectFrom(LOADS)
                .where(LOADS.TABLE_NAME.eq(table.sqlName()).and(LOADS.SOURCE.eq(source)))
                .orderBy(LOADS.STARTED_AT.desc()).limit(1).fetchOne();
    }

    static LoadStatus status(LoadsRecord r) {
        return LoadStatus.valueOf(r.getStatus());
    }

    /** A load as the loads table records it. */
    static LoadResult result(LoadsRecord r) {
        Duration duration = r.getFinishedAt() == null ? Duration.ZERO
                : Duration.between(r.getStartedAt(), r.getFinishedAt());
        return new LoadResult(r.getId(), Table.fromName(r.getTableName()), r.getSource(), status(r),
                r.getInserted() + r.getRejected(), r.getInserted(), r.getRejected(),
                countsFromJson(r.getRejectedByCode().data()), Optional.ofNullable(r.getRejectsFile()),
                duration, Optional.ofNullable(r.getMadeBy()));
    }

    private static String countsToJson(Map<ReasonCode, Long> counts) {
        try {
            return JSON_MAPPER.writeValueAsString(counts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<ReasonCode, Long> countsFromJson(String counts) {
        try {
            Map<ReasonCode, Long> parsed = JSON_MAPPER.readValue(counts, COUNTS);
            return parsed.isEmpty() ? Map.of() : new EnumMap<>(parsed);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
