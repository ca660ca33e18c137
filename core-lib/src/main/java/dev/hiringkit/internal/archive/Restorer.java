package dev.hiringkit.internal.archive;

import static dev.hiringkit.internal.jooq.Tables.DEPARTMENTS;
import static dev.hiringkit.internal.jooq.Tables.HIRED_EMPLOYEES;
import static dev.hiringkit.internal.jooq.Tables.JOBS;

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
import dev.hiringkit.internal.db.Jooq;
import dev.hiringkit.internal.db.SchemaKeys;
import dev.hiringkit.internal.db.TableLease;
import dev.hiringkit.internal.db.Transactions;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.Field;
import org.jooq.Record3;
import org.jooq.impl.DSL;
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
        // LOCK TABLE, which jOOQ does not write.
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
        long before = count(connection, table);
        // DDL, which jOOQ has no CREATE TABLE ... (LIKE ...) for.
        execute(connection, "CREATE TEMP TABLE " + staging + " (LIKE " + table + ") ON COMMIT DROP");
        copyIn.copy(connection, file, reads, staging, false);
        org.jooq.Table<?> target = DSL.table(DSL.name(table));
        org.jooq.Table<?> copied = DSL.table(DSL.name(staging));
        List<Field<Object>> columns = file.table().columns().stream().map(c -> DSL.field(DSL.name(c))).toList();
        Field<Integer> id = DSL.field(DSL.name("id"), Integer.class);
        List<Integer> skippedIds = Jooq.on(connection, sql -> sql.select(id.as("id")).from(copied.as("s"))
                .whereExists(DSL.selectOne().from(target.as("t"))
                        .where(DSL.field(DSL.name("t", "id")).eq(DSL.field(DSL.name("s", "id")))))
                .orderBy(DSL.field(DSL.name("s", "id"))).limit(SKIPPED_IDS_SHOWN).fetch(r -> r.value1()));
        long inserted = Jooq.on(connection, sql -> sql.insertInto(target).columns(columns)
                .select(DSL.select(columns).from(copied)).onConflict(id).doNothing().execute());
        Jooq.on(connection, sql -> sql.dropTable(copied).execute());
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
        parts.addAll(orphans(connection, "department", HIRED_EMPLOYEES.DEPARTMENT_ID, DEPARTMENTS, DEPARTMENTS.ID));
        parts.addAll(orphans(connection, "job", HIRED_EMPLOYEES.JOB_ID, JOBS, JOBS.ID));
        return String.join(" and ", parts);
    }

    /** The hired employees whose {@code reference} names no row of {@code parent}, told in a sentence. */
    private static List<String> orphans(Connection connection, String what, Field<Integer> reference,
            org.jooq.Table<?> parent, Field<Integer> parentId) throws SQLException {
        Record3<Integer, Integer, Integer> found = Jooq.on(connection, sql -> sql
                .select(DSL.count(), DSL.min(HIRED_EMPLOYEES.ID), DSL.min(reference)).from(HIRED_EMPLOYEES)
                .whereNotExists(DSL.selectOne().from(parent).where(parentId.eq(reference))).fetchOne());
        long count = found.value1();
        if (count == 0) {
            return List.of();
        }
        return List.of(count + (count == 1 ? " hired employee" : " hired employees") + " without their " + what
                + " (such as hired employee " + found.value2() + "; " + what + " " + found.value3() + " is missing)");
    }

    private static long count(Connection connection, String table) throws SQLException {
        return Jooq.on(connection, sql -> sql.fetchCount(DSL.table(DSL.name(table))));
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
