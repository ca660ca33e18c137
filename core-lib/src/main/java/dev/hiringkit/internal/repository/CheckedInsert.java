package dev.hiringkit.internal.repository;

import static dev.hiringkit.internal.repository.BatchEntries.fields;
import static dev.hiringkit.internal.repository.BatchEntries.record;

import dev.hiringkit.Table;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Row;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.validation.Checked;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Validator;
import dev.hiringkit.validation.Violation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.Record2;
import org.jooq.SQLDialect;
import org.jooq.Select;
import org.jooq.impl.DSL;

/**
 * A batch inside its transaction, row by row: the ids it names are read from the tables with one query,
 * every row is checked against the rules and those ids, the valid rows are inserted (unless the batch is
 * all-or-nothing and one broke a rule), and every refused row is logged with all its reasons. This is
 * the path of a batch that is not clean, or that one statement could not insert.
 */
final class CheckedInsert {

    /**
     * The ids asked for that each table holds, tagged with the table's ordinal: built once with jOOQ, run
     * with JDBC, which binds each table's ids as one int4 array.
     */
    private static final String STORED_IDS = DSL.using(SQLDialect.POSTGRES).render(Arrays.stream(Table.values())
            .<Select<Record2<Integer, Integer>>>map(t -> DSL.select(DSL.inline(t.ordinal()),
                            DSL.field(DSL.name("id"), Integer.class))
                    .from(DSL.table(DSL.name(t.sqlName())))
                    .where(DSL.field(DSL.name("id"), Integer.class).eq(DSL.any(DSL.val(new Integer[0])))))
            .reduce(Select::unionAll).orElseThrow());

    private final Validator validator;
    private final RejectionLog log;

    CheckedInsert(Validator validator, RejectionLog log) {
        this.validator = validator;
        this.log = log;
    }

    /** A row of the batch that passed every rule, with its position in its table's list. */
    private record Accepted(int index, Row row) {
    }

    /**
     * Checks and inserts the batch on {@code connection}, inside its transaction. After a race ({@code raced})
     * the ids another writer stored meanwhile are refused as duplicates instead of failing the statement.
     */
    BatchResult insert(Connection connection, UUID batchId, Batch batch, boolean raced) throws SQLException {
        Map<Table, Set<Integer>> stored = storedIds(connection, batch);
        Validator.Scope scope = validator.scope((table, id) -> stored.get(table).contains(id));
        Map<Table, List<BatchResult.RejectedRow>> rejected = new EnumMap<>(Table.class);
        Map<Table, List<Accepted>> valid = new EnumMap<>(Table.class);
        boolean anyInvalid = false;
        for (Table table : Table.values()) {
            List<BatchResult.RejectedRow> refused = new ArrayList<>();
            List<Accepted> accepted = new ArrayList<>();
            List<Object> entries = BatchEntries.of(batch, table);
            for (int i = 0; i < entries.size(); i++) {
                Object entry = entries.get(i);
                Row row;
                List<Violation> violations;
                if (entry instanceof Row typed) {
                    row = typed;
                    violations = scope.admit(typed);
                } else {
                    Checked<Row> checked = scope.admit(table, fields(entry));
                    row = checked.row();
                    violations = checked.violations();
                }
                if (violations.isEmpty()) {
                    accepted.add(new Accepted(i, row));
                } else {
                    refused.add(new BatchResult.RejectedRow(i, record(entry), violations));
                }
            }
            anyInvalid |= !refused.isEmpty();
            rejected.put(table, refused);
            valid.put(table, accepted);
        }
        Map<Table, BatchResult.TableOutcome> outcome = new EnumMap<>(Table.class);
        for (Table table : Table.values()) {
            List<BatchResult.RejectedRow> refused = new ArrayList<>(rejected.get(table));
            List<Object> entries = BatchEntries.of(batch, table);
            int inserted = 0;
            if (batch.allOrNothing() && anyInvalid) {
                refused = refuseAll(entries, refused);
            } else {
                List<Accepted> accepted = valid.get(table);
                Set<Integer> skipped = insertRows(connection, table,
                        accepted.stream().map(Accepted::row).toList(), raced);
                inserted = accepted.size() - skipped.size();
                for (Accepted a : accepted) {
                    if (skipped.contains(a.row().id())) {
                        refused.add(new BatchResult.RejectedRow(a.index(), record(entries.get(a.index())),
                                List.of(new Violation("id", ReasonCode.DUPLICATE_ID,
                                        table.sqlName() + " already has id " + a.row().id()))));
                    }
                }
                refused.sort(Comparator.comparingInt(BatchResult.RejectedRow::index));
            }
            if (!entries.isEmpty()) {
                outcome.put(table, new BatchResult.TableOutcome(inserted, refused));
            }
            log.copy(connection, batchId, "BATCH", BatchWriter.SOURCE, table, refused.stream()
                    .map(r -> new RejectionLog.Entry(r.index() + 1L, r.record(), r.reasons()))
                    .toList(), batch.madeBy().orElse(null));
        }
        return new BatchResult(batchId, outcome);
    }

    /** All-or-nothing and some row broke a rule: every row is refused, the valid ones for that reason. */
    private static List<BatchResult.RejectedRow> refuseAll(List<Object> entries,
            List<BatchResult.RejectedRow> invalid) {
        Map<Integer, BatchResult.RejectedRow> byIndex = new HashMap<>();
        invalid.forEach(r -> byIndex.put(r.index(), r));
        List<BatchResult.RejectedRow> all = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            BatchResult.RejectedRow r = byIndex.get(i);
            all.add(r != null ? r : new BatchResult.RejectedRow(i, record(entries.get(i)), List.of(new Violation(
                    "record", ReasonCode.BATCH_REFUSED,
                    "not inserted: the batch is all-or-nothing and another row broke a rule"))));
        }
        return all;
    }

    /** The ids of the batch, and those its employees refer to, that the tables already hold. */
    private static Map<Table, Set<Integer>> storedIds(Connection connection, Batch batch) throws SQLException {
        Map<Table, Set<Integer>> wanted = new EnumMap<>(Table.class);
        for (Table table : Table.values()) {
            wanted.put(table, new HashSet<>());
        }
        for (Table table : Table.values()) {
            for (Object entry : BatchEntries.of(batch, table)) {
                if (entry instanceof Row row) {
                    addIfPresent(wanted.get(table), row.id());
                    if (row instanceof HiredEmployee e) {
                        addIfPresent(wanted.get(Table.DEPARTMENTS), e.departmentId());
                        addIfPresent(wanted.get(Table.JOBS), e.jobId());
                    }
                } else {
                    // Asking for an id the rules will refuse costs nothing, so the text is read leniently.
                    List<String> fields = fields(entry);
                    addIfPresent(wanted.get(table), lenientId(fields, 0));
                    if (table == Table.HIRED_EMPLOYEES) {
                        addIfPresent(wanted.get(Table.DEPARTMENTS), lenientId(fields, 3));
                        addIfPresent(wanted.get(Table.JOBS), lenientId(fields, 4));
                    }
                }
            }
        }
        Map<Table, Set<Integer>> stored = new EnumMap<>(Table.class);
        for (Table table : Table.values()) {
            stored.put(table, new HashSet<>());
        }
        // One round trip for the three tables: a batch's time is mostly round trips.
        try (PreparedStatement select = connection.prepareStatement(STORED_IDS)) {
            int parameter = 1;
            for (Table table : Table.values()) {
                select.setArray(parameter++, connection.createArrayOf("int4", wanted.get(table).toArray(Integer[]::new)));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    stored.get(Table.values()[rs.getInt(1)]).add(rs.getInt(2));
                }
            }
        }
        return stored;
    }

    private static Integer lenientId(List<String> fields, int position) {
        try {
            return position < fields.size() ? Integer.valueOf(fields.get(position)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void addIfPresent(Set<Integer> set, Integer id) {
        if (id != null) {
            set.add(id);
        }
    }

    /**
     * Inserts rows with one statement, in the order of their ids, so that concurrent batches wait for
     * each other's ids in one order and never deadlock. After a race ({@code raced}) the ids another
     * writer stored meanwhile are skipped instead of failing; returns those skipped ids.
     */
    private static Set<Integer> insertRows(Connection connection, Table table, List<Row> valid, boolean raced)
            throws SQLException {
        if (valid.isEmpty()) {
            return Set.of();
        }
        List<Row> rows = valid.stream().sorted(Comparator.comparing(Row::id)).toList();
        String sql = UnnestRows.insert(table) + (raced ? " ON CONFLICT (id) DO NOTHING RETURNING id" : "");
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            UnnestRows.bind(connection, insert, table, rows);
            if (!raced) {
                insert.executeUpdate();
                return Set.of();
            }
            Set<Integer> skipped = rows.stream().map(Row::id).collect(Collectors.toCollection(HashSet::new));
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    skipped.remove(rs.getInt(1));
                }
            }
            return skipped;
        }
    }
}
