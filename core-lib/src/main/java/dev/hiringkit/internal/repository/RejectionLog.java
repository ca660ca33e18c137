package dev.hiringkit.internal.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.internal.db.CopyBuffer;
import dev.hiringkit.repository.Rejection;
import dev.hiringkit.repository.RejectionPage;
import dev.hiringkit.validation.Violation;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
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
        List<String> where = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        if (ofLoad) {
            where.add("load_id = ?");
            parameters.add(loadId);
        } else if (source != null) {
            where.add("source = ?");
            parameters.add(source);
        }
        if (after != null) {
            where.add(ofLoad ? "id > ?" : "id < ?");
            parameters.add(after);
        }
        String sql = "SELECT id, " + READ_COLUMNS + " FROM rejections" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY id" + (ofLoad ? "" : " DESC") + " LIMIT " + (limit + 1);
        List<RejectionPage.Entry> entries = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next() && entries.size() < limit + 1) {
                    entries.add(new RejectionPage.Entry(rs.getLong(1), rejection(rs, 2)));
                }
            }
        }
        boolean more = entries.size() > limit;
        return new RejectionPage(more ? entries.subList(0, limit) : entries, more);
    }

    /** The columns a {@link Rejection} is read from, in the order {@link #rejection} reads them. */
    private static final String READ_COLUMNS =
            "load_id, source, table_name, record_number, raw_record, reasons::text, rejected_at, made_by";

    /** The rejection whose {@link #READ_COLUMNS} start at column {@code first}. */
    private Rejection rejection(ResultSet rs, int first) throws SQLException {
        return new Rejection(rs.getObject(first, UUID.class), rs.getString(first + 1),
                Table.fromName(rs.getString(first + 2)), rs.getLong(first + 3), rs.getString(first + 4),
                fromJson(rs.getString(first + 5)), rs.getTimestamp(first + 6).toInstant(),
                Optional.ofNullable(rs.getString(first + 7)));
    }

    List<Rejection> read(Connection connection, String where, Object parameter, String order, int limit)
            throws SQLException {
        String sql = "SELECT " + READ_COLUMNS + " FROM rejections" + (where.isEmpty() ? "" : " WHERE " + where) + " ORDER BY " + order
                + (limit > 0 ? " LIMIT " + limit : "");
        List<Rejection> out = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            if (parameter != null) {
                select.setObject(1, parameter);
            }
            select.setFetchSize(10_000);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    out.add(rejection(rs, 1));
                }
            }
        }
        return out;
    }

    /**
     * Writes a load's rejected records, in line order, to a CSV file in the archive: the line, the
     * reasons, then the record as it was read. Streams from the database, so any count fits.
     */
    void writeRejectsFile(Connection connection, UUID loadId, ArchiveStore archive, String key)
            throws SQLException {
        String sql = "SELECT record_number, reasons::text, raw_record FROM rejections"
                + " WHERE load_id = ? ORDER BY record_number";
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setObject(1, loadId);
            select.setFetchSize(10_000);
            try (ResultSet rs = select.executeQuery()) {
                archive.write(key, out -> {
                    Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                    CSVPrinter csv = new CSVPrinter(writer, CSVFormat.RFC4180.builder()
                            .setHeader("line", "reasons", "record").get());
                    try {
                        while (rs.next()) {
                            csv.printRecord(rs.getLong(1), describe(fromJson(rs.getString(2))), rs.getString(3));
                        }
                    } catch (SQLException e) {
                        throw new IOException("reading the rejections failed: " + e.getMessage(), e);
                    }
                    csv.flush();
                });
            }
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
