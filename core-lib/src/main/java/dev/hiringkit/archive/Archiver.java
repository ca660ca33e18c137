package dev.hiringkit.archive;

import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.Table;
import java.util.List;

/**
 * Backs the tables up to Avro files in an {@link ArchiveStore} and restores them from there.
 *
 * <pre>{@code
 * Backup backup = kit.archiver().backup();                                  // every table
 * kit.archiver().restore(Archiver.LATEST, RestoreMode.REPLACE, Table.JOBS); // one table, atomically
 * }</pre>
 */
public interface Archiver {

    /** The backup id that stands for the newest complete backup holding the tables asked for. */
    String LATEST = "latest";

    /**
     * Writes the tables given (every table when none is) to {@code backups/<id>/<table>.avro}, all from
     * one snapshot of the database, then {@code backups/<id>/manifest.json}. A backup without its
     * manifest is incomplete: it is never listed or restored.
     */
    Backup backup(Table... tables);

    /**
     * {@link #backup(Table...)} made safe to send again: the key is recorded, with the backup's id, once the
     * backup is complete, and for as long as keys are kept (24 hours by default) the same request with the
     * same key returns that backup ({@link Backup#replayed()} true) instead of taking another; a concurrent
     * one waits for the first. The same key with other tables is refused with
     * {@link dev.hiringkit.HiringException.Code#IDEMPOTENCY_KEY_REUSED}.
     */
    Backup backup(IdempotencyKey key, Table... tables);

    /** The complete backups, newest first. */
    List<Backup> list();

    /**
     * Brings the tables given (every table of the backup when none is) back from a backup, in one
     * transaction: it succeeds whole or leaves the database as it was. Each file is read once: its schema
     * is checked before its rows go in, its size and SHA-256 as it streams in, and a file that is not the
     * manifest's rolls the restore back. A restore that would leave hired employees without
     * their department or job is refused.
     *
     * @param backupId an id from {@link #list()}, or {@link #LATEST}
     */
    RestoreResult restore(String backupId, RestoreMode mode, Table... tables);

    /**
     * {@link #restore(String, RestoreMode, Table...)} made safe to send again: the key and the result are
     * committed in the restore's own transaction, and for as long as keys are kept the same request with the
     * same key returns that result ({@link RestoreResult#replayed()} true) and restores nothing (a restore
     * run twice in REPLACE mode would throw away the rows written in between). The same key with another
     * backup id, mode or tables is refused with {@link dev.hiringkit.HiringException.Code#IDEMPOTENCY_KEY_REUSED}.
     */
    RestoreResult restore(IdempotencyKey key, String backupId, RestoreMode mode, Table... tables);

    /** The same archiver, telling {@code progress} how its backups and restores advance. */
    Archiver withProgress(ArchiveProgress progress);

}
