package dev.hiringkit.internal.repository;

import dev.hiringkit.Table;
import dev.hiringkit.validation.KnownIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.roaringbitmap.RoaringBitmap;

/**
 * The ids stored in the tables, held as compressed bitmaps: 5 million dense ids take well under a
 * megabyte, so a load checks duplicates and references without a query per row.
 */
final class StoredIds implements KnownIds {

    /**
     * By table ordinal. A refresh publishes a new bitmap, never changes one: a load's reading thread
     * checks against them while the load reads departments and jobs again between chunks.
     */
    private final AtomicReferenceArray<RoaringBitmap> ids = new AtomicReferenceArray<>(Table.values().length);

    /** Reads the ids of {@code table} again; the caller's transaction decides what is visible. */
    void refresh(Connection connection, Table table) throws SQLException {
        RoaringBitmap bitmap = new RoaringBitmap();
        // Built with jOOQ, read with JDBC: the ids go straight into the bitmap, with no record object per id
        // (a load of hired_employees reads millions of them as it begins).
        String sql = DSL.using(SQLDialect.POSTGRES)
                .render(DSL.select(DSL.field(DSL.name("id"))).from(DSL.table(DSL.name(table.sqlName()))));
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setFetchSize(100_000);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    bitmap.add(rs.getInt(1));
                }
            }
        }
        bitmap.runOptimize();
        ids.set(table.ordinal(), bitmap);
    }

    /** How many ids of {@code table} were read; 0 when it was not read. */
    long count(Table table) {
        RoaringBitmap bitmap = ids.get(table.ordinal());
        return bitmap == null ? 0 : bitmap.getLongCardinality();
    }

    @Override
    public boolean contains(Table table, int id) {
        RoaringBitmap bitmap = ids.get(table.ordinal());
        return bitmap != null && bitmap.contains(id);
    }
}
