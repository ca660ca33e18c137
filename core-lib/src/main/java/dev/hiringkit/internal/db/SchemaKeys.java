package dev.hiringkit.internal.db;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.Table;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Drops the keys that make bulk loads of hired_employees slow and puts them back. The putting back
 * is Flyway's afterMigrate script, so a migration also repairs what a killed load left undone.
 *
 * <p>While a load runs without them, a guard (a statement trigger, created in the transaction that drops
 * the keys) refuses every other writer of hired_employees with SQLState {@value #REFUSED_STATE}: only a
 * transaction that {@link #markBulkLoad marks itself} as the load's may write. So no id the load does not
 * know of can enter while the primary key is gone (its checks against the ids it read then and its own
 * hold the ids unique), and no row can miss its department or job while the foreign keys are gone (a
 * batch's one-statement insert leaves those checks to the keys). The guard goes in the transaction that
 * puts the keys back. Internal to HiringKit, not part of its API.
 */
public final class SchemaKeys {

    /** The SQLState of the guard's refusal: class 55, object not in prerequisite state. */
    public static final String REFUSED_STATE = "55H01";
    /** The guard's name, as afterMigrate.sql and {@link SchemaCheck#CORE_KEYS_IN_PLACE} know it. */
    static final String GUARD = "hired_employees_bulk_load_guard";
    /** The setting a load's chunk transactions carry: the load's id, which its guard lets through. */
    private static final String MARKER = "hiring.bulk_load";

    /** One at a time with afterMigrate.sql, which takes the same lock before it looks at the keys. */
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('hiringkit.afterMigrate'));\n";
    /** The guard's function: a refusal unless the transaction carries the load's id (its argument). */
    private static final String GUARD_FUNCTION = """
            CREATE OR REPLACE FUNCTION hiring_bulk_load_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('hiring.bulk_load', true) IS DISTINCT FROM TG_ARGV[0] THEN
                    RAISE EXCEPTION '% is being bulk loaded (load %); try again when the load has ended',
                        TG_TABLE_NAME, TG_ARGV[0] USING ERRCODE = '55H01';
                END IF;
                RETURN NULL;
            END
            $$;
            DROP TRIGGER IF EXISTS hired_employees_bulk_load_guard ON hired_employees;
            """;
    /** DDL, which stays SQL (as afterMigrate.sql, which puts the keys back, is). */
    private static final String DROP = """
            ALTER TABLE hired_employees
                DROP CONSTRAINT IF EXISTS hired_employees_department_fk,
                DROP CONSTRAINT IF EXISTS hired_employees_job_fk;
            DROP INDEX IF EXISTS hired_employees_datetime_idx;
            """;
    /** The key, and an index of the same name that a load built for it but did not attach (it died in between). */
    private static final String DROP_PRIMARY_KEY = "ALTER TABLE hired_employees DROP CONSTRAINT IF EXISTS hired_employees_pkey;\n"
            + "DROP INDEX IF EXISTS hired_employees_pkey;\n";
    /**
     * The two indexes a bulk load leaves to build, each alone in its transaction so that both can sort
     * at once, on two connections (two CREATE INDEX share their lock on the table); afterMigrate.sql then
     * attaches the first as the primary key. Its shared advisory lock keeps afterMigrate.sql, run by a
     * migration meanwhile, from building either a second time.
     */
    private static final String SHARED_LOCK = "SELECT pg_advisory_xact_lock_shared(hashtext('hiringkit.afterMigrate'))";
    private static final String BUILD_PRIMARY_KEY_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS hired_employees_pkey"
            + " ON hired_employees (id)";
    private static final String BUILD_REPORT_INDEX = "CREATE INDEX IF NOT EXISTS hired_employees_datetime_idx"
            + " ON hired_employees (datetime) INCLUDE (department_id, job_id)";
    private static final String MISSING = "SELECT NOT EXISTS (SELECT 1 FROM pg_constraint"
            + " WHERE conrelid = 'hired_employees'::regclass AND contype = 'p'),"
            + " to_regclass('hired_employees_datetime_idx') IS NULL";
    /** What an index build sorts in: for its transaction only (SET LOCAL), never a pooler's session. */
    private static final String SORT_MEMORY = "SET LOCAL maintenance_work_mem = '256MB'";
    private static final String GUARDED = "SELECT EXISTS (SELECT 1 FROM pg_trigger"
            + " WHERE tgrelid = to_regclass('hired_employees') AND tgname = '" + GUARD + "')";

    private final String restore;

    public SchemaKeys() {
        try (InputStream in = SchemaKeys.class.getResourceAsStream("/db/migration/afterMigrate.sql")) {
            if (in == null) {
                throw new IllegalStateException("db/migration/afterMigrate.sql is missing from the classpath");
            }
            restore = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * For a bulk load that holds the table's lease: guards hired_employees for load {@code loadId}, then
     * drops its foreign keys, its report index and, with {@code primaryKey}, its primary key; one
     * transaction, committed at once (it waits for writers in flight, and those after it meet the guard).
     */
    public void dropForBulkLoad(Connection connection, UUID loadId, boolean primaryKey) throws SQLException {
        Transactions.inTransaction(connection, () -> {
            // The id is a UUID's text: nothing to quote. CREATE TRIGGER takes no parameters.
            execute(connection, LOCK + GUARD_FUNCTION + "CREATE TRIGGER " + GUARD
                    + " BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON hired_employees"
                    + " FOR EACH STATEMENT EXECUTE FUNCTION hiring_bulk_load_guard('" + loadId + "');\n"
                    + DROP + (primaryKey ? DROP_PRIMARY_KEY : ""));
            return null;
        });
    }

    /** Lets the caller's transaction write hired_employees past the guard of load {@code loadId}. */
    public void markBulkLoad(Connection connection, UUID loadId) throws SQLException {
        try (PreparedStatement set = connection.prepareStatement("SELECT set_config('" + MARKER + "', ?, true)")) {
            set.setString(1, loadId.toString());
            set.execute();
        }
    }

    /** Whether a bulk load's guard is on hired_employees (its own, or one a load that died left). */
    public boolean isGuarded(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(GUARDED)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** Whether {@code e}, or an exception that caused it, is a bulk load's guard refusing a write. */
    public static boolean isRefusedByBulkLoad(Throwable e) {
        return DatabaseFailures.hasSqlState(e, REFUSED_STATE::equals);
    }

    /** The refusal as what the library lets out: worth retrying once the load has ended. */
    public static HiringException tableBusy(String what, SQLException e) {
        return new HiringException(Code.TABLE_BUSY, what + ": hired_employees is being bulk loaded, without its keys"
                + " for speed, and takes no other writes until the load ends. Nothing was stored; send it again"
                + " then.", e);
    }

    /**
     * Puts back the keys of a load that died without putting them back itself: true when hired_employees
     * is unguarded now (so a refused write can be tried again), false when a load still holds the table.
     * Takes the table's lease for its transaction: a live load keeps it, a dead one's expires.
     */
    public boolean repairAbandoned(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (isGuarded(connection)) {
                    TableLease.takeInTransaction(connection, List.of(Table.HIRED_EMPLOYEES));
                    restoreInTransaction(connection);
                }
                connection.commit();
                return true;
            } catch (HiringException | SQLException e) {
                // A live load's lease, or a lock in the way: the write is refused as busy, to be retried.
                Transactions.rollback(connection, e);
                return false;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** Puts back and validates whatever is missing, and removes the guard; commits. */
    public void restore(Connection connection) throws SQLException {
        Transactions.inTransaction(connection, () -> {
            restoreInTransaction(connection);
            return null;
        });
    }

    /**
     * Puts back what a bulk load dropped, as {@link #restore} does, but first builds the primary key's
     * index and the report index at the same time, the report index on a second connection of
     * {@code dataSource}: after a load the JVM is idle and the server has both cores to sort with
     * (1M rows: 1.05-1.26 s side by side against 1.33-1.84 s one after the other, on a busy machine).
     * The foreign keys are validated after them, in the transaction that removes the guard: their
     * validation locks the table against index builds, so it cannot run beside them.
     */
    public void restoreAfterBulkLoad(DataSource dataSource, Connection connection) throws SQLException {
        boolean primaryKeyMissing;
        boolean reportIndexMissing;
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(MISSING)) {
            rs.next();
            primaryKeyMissing = rs.getBoolean(1);
            reportIndexMissing = rs.getBoolean(2);
        }
        if (primaryKeyMissing && reportIndexMissing) {
            SideTask reportIndex = SideTask.start("hiring-report-index", () -> {
                try (Connection second = dataSource.getConnection()) {
                    buildIndex(second, BUILD_REPORT_INDEX);
                }
                return null;
            });
            try {
                buildIndex(connection, BUILD_PRIMARY_KEY_INDEX);
            } catch (SQLException | RuntimeException e) {
                reportIndex.awaitAfter(e);
                throw e;
            }
            reportIndex.succeeded(); // when it failed (no second connection, say), afterMigrate.sql builds it
        }
        // One index or none left to build (a load that kept the primary key): afterMigrate.sql builds it.
        restore(connection);
    }

    private static void buildIndex(Connection connection, String build) throws SQLException {
        Transactions.inTransaction(connection, () -> {
            execute(connection, SHARED_LOCK);
            execute(connection, SORT_MEMORY);
            execute(connection, build);
            return null;
        });
    }

    /**
     * For a restore, which holds the leases of the three tables: drops the foreign keys and the report
     * index of hired_employees in the caller's transaction, first removing the guard of a load that died
     * and putting back the primary key it dropped.
     */
    public void dropInTransaction(Connection connection) throws SQLException {
        if (isGuarded(connection)) {
            restoreInTransaction(connection);
        }
        execute(connection, DROP);
    }

    /**
     * Puts back and validates whatever is missing in the caller's transaction, primary key first, and
     * removes the guard: a row without its department or job fails it with SQLState 23503.
     */
    public void restoreInTransaction(Connection connection) throws SQLException {
        // The index build sorts the whole table: memory for this transaction only (SET LOCAL), since a
        // session setting would outlive it on a pooler's server session, for other clients.
        execute(connection, SORT_MEMORY);
        execute(connection, restore);
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
