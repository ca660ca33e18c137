package dev.hiringkit.internal.archive;

import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveProgress;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Archiver;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.db.IdempotencyKeys;
import dev.hiringkit.internal.db.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The PostgreSQL {@link Archiver}: backups are written by {@link BackupWriter}, found by
 * {@link BackupCatalog} and restored by {@link Restorer}; this class adds what a keyed (idempotent)
 * backup or restore needs around them.
 */
public final class PgArchiver implements Archiver {

    private final DataSource dataSource;
    private final ArchiveStore store;
    private final ArchiveProgress progress;
    private final IdempotencyKeys idempotency;
    private final BackupWriter writer;
    private final BackupCatalog catalog;
    private final Restorer restorer;

    public PgArchiver(DataSource dataSource, ArchiveStore store, IdempotencyKeys idempotency) {
        this(dataSource, store, ArchiveProgress.NONE, idempotency);
    }

    private PgArchiver(DataSource dataSource, ArchiveStore store, ArchiveProgress progress,
            IdempotencyKeys idempotency) {
        this.dataSource = dataSource;
        this.store = store;
        this.progress = progress;
        this.idempotency = idempotency;
        this.writer = new BackupWriter(dataSource, store, progress);
        this.catalog = new BackupCatalog(store);
        this.restorer = new Restorer(dataSource, store, catalog, new CheckedCopyIn(store, progress), idempotency);
    }

    @Override
    public Archiver withProgress(ArchiveProgress progress) {
        return new PgArchiver(dataSource, store, progress, idempotency);
    }

    @Override
    public Backup backup(Table... tables) {
        return writer.write(Archiving.parentsFirst(tables));
    }

    @Override
    public List<Backup> list() {
        return catalog.list();
    }

    @Override
    public RestoreResult restore(String backupId, RestoreMode mode, Table... tables) {
        return restorer.restore(backupId, mode, Optional.empty(), tables);
    }

    /**
     * A keyed backup claims its key in a transaction of its own, held while the backup is taken (a second
     * request with the key waits on it), and commits it with the backup's id once the manifest is written:
     * the key is recorded if and only if the backup is complete. A process that dies in between leaves an
     * incomplete backup (never listed) and no key; the retry takes the backup again.
     */
    @Override
    public Backup backup(IdempotencyKey key, Table... tables) {
        List<Table> chosen = Archiving.parentsFirst(tables);
        IdempotencyKeys.Claim claim = new IdempotencyKeys.Claim(key.madeBy().orElse(null), key.key(), "backup",
                IdempotencyKeys.sha256(chosen.stream().map(Table::sqlName).toArray(String[]::new)));
        try (Connection connection = dataSource.getConnection()) {
            return Transactions.inTransaction(connection, () -> {
                Optional<String> stored = idempotency.claim(connection, claim);
                if (stored.isPresent()) {
                    connection.rollback(); // the key's backup is the answer; nothing here is kept
                    Backup backup = catalog.find(stored.get(), List.of());
                    return new Backup(backup.id(), backup.createdAt(), backup.codec(), backup.tables(), true);
                }
                Backup backup = writer.write(chosen);
                idempotency.complete(connection, claim, backup.id());
                return backup;
            });
        } catch (SQLException e) {
            throw DatabaseFailures.translate("The backup was not recorded under its idempotency key", e);
        } finally {
            idempotency.purgeExpiredIfDue(dataSource);
        }
    }

    @Override
    public RestoreResult restore(IdempotencyKey key, String backupId, RestoreMode mode, Table... tables) {
        // The backup id as asked ('latest' stays 'latest'): a retry sends the same words.
        IdempotencyKeys.Claim claim = new IdempotencyKeys.Claim(key.madeBy().orElse(null), key.key(), "restore",
                IdempotencyKeys.sha256(Objects.requireNonNullElse(backupId, LATEST), mode.name(),
                        Archiving.parentsFirst(tables).stream().map(Table::sqlName).collect(Collectors.joining(","))));
        try {
            // A retry whose restore committed is answered before any file is read; the claim in the restore's
            // transaction is what makes two concurrent ones run once.
            try (Connection connection = dataSource.getConnection()) {
                Optional<String> stored = idempotency.find(connection, claim);
                if (stored.isPresent() && !stored.get().isEmpty()) {
                    return Restorer.replayed(stored.get());
                }
            } catch (SQLException e) {
                throw DatabaseFailures.translate("The restore from backup " + backupId + " failed and changed nothing"
                        + " (every table is as it was)", e);
            }
            return restorer.restore(backupId, mode, Optional.of(claim), tables);
        } finally {
            idempotency.purgeExpiredIfDue(dataSource);
        }
    }
}
