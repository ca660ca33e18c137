package dev.hiringkit.internal.archive;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.db.IdempotencyKeys;
import dev.hiringkit.internal.db.SchemaKeys;
import dev.hiringkit.internal.db.TableLease;
import dev.hiringkit.internal.db.Transactions;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores tables from a backup in one transaction: in {@code REPLACE} mode into tables emptied and
 * stripped of their primary key (see {@link BareTables}), in {@code APPEND} mode through a staging table
 * that skips the ids already stored. The keys of hired_employees are dropped and validated again in one
 * pass at the end; a restore that would leave a hire without its department or job is refused.
 */
final class Restorer {

    /** The skipped ids an APPEND restore names, at most. */
    private static final int SKIPPED_IDS_SHOWN = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);
    private static final ObjectMapper STORED = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final DataSource dataSource;
    private final BackupCatalog catalog;
    private final ArchiveStore store;
    private final CheckedCopyIn copyIn;
    private final IdempotencyKeys idempotency;
    private final SchemaKeys keys = new SchemaKeys();

    Restorer(DataSource dataSource, ArchiveStore store, BackupCatalog catalog, CheckedCopyIn copyIn,
            IdempotencyKeys idempotency) {
        this.dataSource = dataSource;
        this.store = store;
        this.catalog = catalog;
        this.copyIn = copyIn;
        this.idempotency = idempotency;
    }

    /** Restores from the backup; with a claim, records the key and the result in the restore's transaction. */
    RestoreResult restore(String backupId, RestoreMode mode, Optional<IdempotencyKeys.Claim> claim, Table... tables) {
        boolean all = tables.length == 0;
        Backup backup = catalog.find(backupId, all ? List.of() : Archiving.parentsFirst(tables));
        List<Table> chosen = Archiving.parentsFirst(all
                ? backup.tables().stream().map(Backup.TableFile::table).toArray(Table[]::new) : tables);
        Map<Table, Backup.TableFile> files = new EnumMap<>(Table.class);
        for (Table table : chosen) {
            files.put(table, backup.table(table).orElseThrow(() -> new HiringException(Code.BACKUP_NOT_FOUND,
                    "The backup " + backup.id() + " holds no " + table.sqlName())));
        }
        try (RestoreDownloads reads = new RestoreDownloads(store)) {
            // A remote store's files are downloaded before the tables are locked; each file's size and
            // SHA-256 are then checked as it streams into the database (one read), and a file that is not
            // the manifest's rolls the restore back.
            reads.prefetch(files.values());
            return restore(backup, mode, chosen, files, reads, claim);
        }
    }

    private RestoreResult restore(Backup backup, RestoreMode mode, List<Table> chosen,
            Map<Table, Backup.TableFile> files, RestoreDownloads reads, Optional<IdempotencyKeys.Claim> claim) {
        boolean keysDropped = mode == RestoreMode.REPLACE || chosen.contains(Table.HIRED_EMPLOYEES);
        List<RestoreResult.TableRestore> results = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            RestoreResult result;
            try {
                // The key first: a concurrent restore with it waits here, then replays this one's result.
                Optional<String> stored = claim.isPresent() ? idempotency.claim(connection, claim.get())
                        : Optional.empty();
                if (stored.isPresent()) {
                    connection.rollback();
                    return replayed(stored.get());
                }
                lock(connection, chosen, keysDropped);
                if (keysDropped) {
                    keys.dropInTransaction(connection);
                }
                for (Table table : chosen) {
                    results.add(mode == RestoreMode.REPLACE
                            ? replace(connection, files.get(table), reads)
                            : append(connection, files.get(table), reads));
                }
                if (mode == RestoreMode.REPLACE) {
                    BareTables.restorePrimaryKeys(connection, chosen);
                }
                if (keysDropped) {
                    restoreKeys(connection, backup.id());
                }
                result = new RestoreResult(backup.id(), mode, results);
                if (claim.isPresent()) {
                    idempotency.complete(connection, claim.get(), stored(result));
                }
            } catch (RuntimeException | SQLException | IOException e) {
                Transactions.rollback(connection, e);
                throw e;
            }
            try {
                connection.commit();
            } catch (SQLException e) {
                throw DatabaseFailures.translate("The restore from backup " + backup.id() + " was sent, but its"
                        + " commit failed: whether it took effect is unknown", e);
            }
            LOG.debug("Restored {} from backup {} ({})", Archiving.names(chosen), backup.id(), mode);
            return result;
        } catch (SQLException e) {
            throw DatabaseFailures.translate("The restore from backup " + backup.id() + " failed and changed nothing"
                    + " (every table is as it was)", e);
        } catch (IOException e) {
            throw ArchiveFailures.archiveError("The restore from backup " + backup.id() + " failed and changed"
                    + " nothing (every table is as it was)", e);
        }
    }

    /** The result a key recorded, as the answer to the request sent again. */
    static RestoreResult replayed(String json) {
        try {
            RestoreResult stored = STORED.readValue(json, RestoreResult.class);
            return new RestoreResult(stored.backupId(), stored.mode(), stored.tables(), true);
        } catch (IOException e) {
            throw new HiringException(Code.DATABASE_ERROR, "The stored result of an idempotency key is unreadable", e);
        }
    }

    private static String stored(RestoreResult result) {
        try {
            return STORED.writeValueAsString(result);
        } catch (IOException e) {
            throw new IllegalStateException("a restore result is always JSON", e);
        }
    }

    private static void lock(Connection connection, List<Table> chosen, boolean keysDropped) throws SQLException {
        // Dropping the foreign keys locks all three tables: take them at once, parents first, so that a
        // backup or a batch (which go parents first too) cannot deadlock with the restore.
        List<Table> locked = keysDropped ? List.of(Table.values()) : chosen;
        // A load's lease: a restore and a load of one table never interleave.
        TableLease.takeInTransaction(connection, locked);
        execute(connection, "LOCK TABLE " + Archiving.names(locked) + " IN "
                + (keysDropped ? "ACCESS EXCLUSIVE" : "EXCLUSIVE") + " MODE");
    }

    private RestoreResult.TableRestore replace(Connection connection, Backup.TableFile file, RestoreDownloads reads)
            throws SQLException, IOException {
        String table = file.table().sqlName();
        long before = count(connection, table);
        // Emptied in this transaction, without its primary key (rebuilt once the rows are in): rows are
        // written frozen, and an index is built in one sort instead of growing row by row.
        BareTables.empty(connection, file.table());
        copyIn.copy(connection, file, reads, table, true);
        return new RestoreResult.TableRestore(file.table(), file.rows(), before, before, file.rows(), 0, List.of());
    }

    private RestoreResult.TableRestore append(Connection connection, Backup.TableFile file, RestoreDownloads reads)
            throws SQLException, IOException {
        String table = file.table().sqlName();
        String staging = "restore_" + table;
        String columns = String.join(", ", file.table().columns());
        long before = count(connection, table);
        execute(connection, "CREATE TEMP TABLE " + staging + " (LIKE " + table + ") ON COMMIT DROP");
        copyIn.copy(connection, file, reads, staging, false);
        List<Integer> skippedIds = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT s.id FROM " + staging + " s WHERE EXISTS (SELECT 1 FROM "
                        + table + " t WHERE t.id = s.id) ORDER BY s.id LIMIT " + SKIPPED_IDS_SHOWN)) {
            while (rs.next()) {
                skippedIds.add(rs.getInt(1));
            }
        }
        long inserted;
        try (Statement statement = connection.createStatement()) {
            inserted = statement.executeLargeUpdate("INSERT INTO " + table + " (" + columns + ") SELECT " + columns
                    + " FROM " + staging + " ON CONFLICT (id) DO NOTHING");
            statement.execute("DROP TABLE " + staging);
        }
        return new RestoreResult.TableRestore(file.table(), file.rows(), before, 0, inserted,
                file.rows() - inserted, skippedIds);
    }

    /** Puts the keys of hired_employees back; a row left without its department or job refuses the restore. */
    private void restoreKeys(Connection connection, String backupId) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        try {
            keys.restoreInTransaction(connection);
        } catch (SQLException e) {
            if (!"23503".equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(savepoint);
            throw new HiringException(Code.RESTORE_WOULD_ORPHAN, "Nothing was restored from backup " + backupId
                    + ": it would leave " + orphans(connection)
                    + ". Restore the departments and jobs they need first, or in the same restore.");
        }
    }

    private static String orphans(Connection connection) throws SQLException {
        List<String> parts = new ArrayList<>();
        for (String[] parent : new String[][] {{"departments", "department_id", "department"}, {"jobs", "job_id", "job"}}) {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT count(*), min(h.id), min(h." + parent[1] + ")"
                            + " FROM hired_employees h WHERE NOT EXISTS (SELECT 1 FROM " + parent[0] + " p"
                            + " WHERE p.id = h." + parent[1] + ")")) {
                rs.next();
                long count = rs.getLong(1);
                if (count > 0) {
                    parts.add(count + (count == 1 ? " hired employee" : " hired employees") + " without their "
                            + parent[2] + " (such as hired employee " + rs.getInt(2) + "; " + parent[2] + " "
                            + rs.getInt(3) + " is missing)");
                }
            }
        }
        return String.join(" and ", parts);
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
