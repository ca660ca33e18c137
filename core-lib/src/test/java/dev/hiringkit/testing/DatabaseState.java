package dev.hiringkit.testing;

import dev.hiringkit.Table;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Everything a run leaves in a database, comparable across two databases: the rows of each table, the
 * loads and their checkpoints, the rejections, the keys and the report index of hired_employees. Ids of
 * loads and batches and times differ between two runs and are left out. Fault tests compare a run that
 * was cut and run again with one clean run.
 */
public final class DatabaseState {

    private DatabaseState() {
    }

    /** The state of a database, one line per part. */
    public static List<String> of(DataSource db) throws SQLException {
        List<String> state = new ArrayList<>();
        for (Table table : Table.values()) {
            state.add(table.sqlName() + " " + text(db, "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|'"
                    + " ORDER BY id)), '') FROM " + table.sqlName() + " t"));
        }
        state.add("loads " + text(db, "SELECT coalesce(string_agg(concat_ws(' ', table_name, source, status, records_done,"
                + " bytes_done, prefix_crc, inserted, rejected, rejected_by_code::text, rejects_file IS NOT NULL),"
                + " ' | ' ORDER BY table_name, started_at), '') FROM loads"));
        state.add("rejections " + text(db, "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(':', kind, source,"
                + " table_name, record_number, raw_record, reasons::text), '|' ORDER BY table_name, kind, record_number)),"
                + " '') FROM rejections"));
        state.add("keys " + text(db, "SELECT string_agg(conname || ':' || convalidated, ',' ORDER BY conname)"
                + " FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"));
        state.add("indexes " + text(db, "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes"
                + " WHERE tablename = 'hired_employees'"));
        return state;
    }

    /** The rows, keys and index of a state, without the loads and rejections (which a restore leaves alone). */
    public static List<String> tablesOnly(List<String> state) {
        return state.stream().filter(s -> !s.startsWith("loads ") && !s.startsWith("rejections ")).toList();
    }

    private static String text(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
