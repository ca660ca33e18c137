package dev.hiringkit.internal.repository;

import static dev.hiringkit.internal.jooq.Tables.REJECTIONS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.internal.db.CopyBuffer;
import dev.hiringkit.internal.db.Jooq;
import dev.hiringkit.internal.jooq.tables.records.RejectionsRecord;
import dev.hiringkit.repository.Rejection;
import dev.hiringkit.repository.RejectionPage;
import dev.hiringkit.validation.Violation;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.JSON;
import org.jooq.Record3;
import org.jooq.ResultQuery;
import org.jooq.SelectSeekStepN;
import org.jooq.SortField;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/** Writes and reads the rejections table, and writes a load's rejects file into the archive. */
final class RejectionLog {

    static final String COLUMNS = "load_id, kind, source, table_name, record_number, raw_record, reasons, made_by";
    private static final TypeReference<List<Violation>> VIOLATIONS = new TypeReference<>() { };

    /** A refused record waiting to be written with its chunk or batch. */
    record Entry(long recordNumber, String raw, List<Violation> reasons) {
    }

    private final ObjectMapper json = new ObjectMapper();

    String toJson(List<Violation> reasons) {
        try {
            return json.writeValueAsString(reasons);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Violation> fromJson(String reasons) {
        try {
            return json.readValue(reasons, VIOLATIONS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable reasons in the rejections table: " + reasons, e);
        }
    }

    /** Writes entries with COPY, in the caller's transaction; {@code madeBy} may be null (no one said). */
    void copy(Connection connection, UUID loadId, String kind, String source, Table table, List<Entry> entries,
            String madeBy) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn(CopyBuffer.copySql("rejections", COLUMNS));
        CopyBuffer out = new CopyBuffer();
        out.start(copy);
        try {
            for (Entry entry : entries) {
                out.row(8).uuid(loadId).text(kind).text(source).text(table.sqlName()).int8(entry.recordNumber())
                        .text(storable(entry.raw())).jsonb(toJson(entry.reasons())).textOrNull(madeBy);
                out.endRow();
            }
            out.finish();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** PostgreSQL text cannot hold NUL, which a refused record may: it is kept as U+FFFD. */
    private static String storable(String raw) {
        return raw.indexOf('\0') < 0 ? raw : raw.replace('\0', '\uFFFD');
    }

    /**
     * A page of the log in keyset order of its ids (the order rows were logged): a load's or batch's
     * ascending, otherwise descending (newest first), optionally of one source.
     */
    RejectionPage page(Connection connection, UUID loadId, String source, Long after, int limit)
            throws SQLException {
        boolean ofLoad = loadId != null;
        Condition where = ofLoad ? REJECTIONS.LOAD_ID.eq(loadId)
                : source != null ? REJECTIONS.SOURCE.eq(source) : DSL.noCondition();
        if (after != null) {
            where = where.and(ofLoad ? REJECTIONS.ID.gt(after) : REJECTIONS.ID.lt(after));
        }
        Condition condition = where;
        List<RejectionPage.Entry> entries = Jooq.on(connection, sql -> sql.selectFrom(REJECTIONS).where(condition)
                .orderBy(ofLoad ? REJECTIONS.ID.asc() : REJECTIONS.ID.desc()).limit(limit + 1)
                .fetch(r -> new RejectionPage.Entry(r.getId(), rejection(r))));
        boolean more = entries.size() > limit;
        return new RejectionPage(more ? entries.subList(0, limit) : entries, more);
    }

    private Rejection rejection(RejectionsRecord r) {
        return new Rejection(r.getLoadId(), r.getSource(), Table.fromName(r.getTableName()), r.getRecordNumber(),
                r.getRawRecord(), fromJson(r.getReasons().data()), r.getRejectedAt().toInstant(),
                Optional.ofNullable(r.getMadeBy()));
    }

    /** The rejections the condition selects, in that order, at most {@code limit} of them (all when 0). */
    List<Rejection> read(Connection connection, Condition where, List<SortField<?>> order, int limit)
            throws SQLException {
        return Jooq.on(connection, sql -> {
            SelectSeekStepN<RejectionsRecord> ordered = sql.selectFrom(REJECTIONS).where(where).orderBy(order);
            ResultQuery<RejectionsRecord> query = limit > 0 ? ordered.limit(limit) : ordered;
            return query.fetchSize(10_000).fetch(this::rejection);
        });
    }

    /**
     * Writes a load's rejected records, in line order, to a CSV file in the archive: the line, the
     * reasons, then the record as it was read. Streams from the database, so any count fits.
     */
    void writeRejectsFile(Connection connection, UUID loadId, ArchiveStore archive, String key)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        // A cursor (fetch size, in a transaction): the rows stream from the database.
        try (Cursor<Record3<Long, JSON, String>> rows = Jooq.on(connection, sql -> sql
                .select(REJECTIONS.RECORD_NUMBER, REJECTIONS.REASONS, REJECTIONS.RAW_RECORD).from(REJECTIONS)
                .where(REJECTIONS.LOAD_ID.eq(loadId)).orderBy(REJECTIONS.RECORD_NUMBER)
                .fetchSize(10_000).fetchLazy())) {
            archive.write(key, out -> {
                Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                CSVPrinter csv = new CSVPrinter(writer, CSVFormat.RFC4180.builder()
                        .setHeader("line", "reasons", "record").get());
                try {
                    for (Record3<Long, JSON, String> row : rows) {
                        csv.printRecord(row.value1(), describe(fromJson(row.value2().data())), row.value3());
                    }
                } catch (DataAccessException e) {
                    throw new IOException("reading the rejections failed: " + e.getMessage(), e);
                }
                csv.flush();
            });
            connection.commit();
        } catch (IOException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback); // the store's failure is the one to tell
            }
            throw new HiringException(HiringException.Code.ARCHIVE_ERROR,
                    "Could not write the rejects file " + archive.locate(key) + ": " + e.getMessage(), e);
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Reasons as one readable cell: {@code MISSING_FIELD job_id: job_id is required; ...}. */
    static String describe(List<Violation> reasons) {
        return reasons.stream()
                .map(v -> v.code() + " " + v.field() + ": " + v.message())
                .collect(Collectors.joining("; "));
    }
}
