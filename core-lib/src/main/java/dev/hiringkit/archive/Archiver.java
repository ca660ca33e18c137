package dev.hiringkit.archive;

import dev.hiringkit.Table;
import java.util.List;
import javax.sql.DataSource;

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

    /** The complete backups, newest first. */
    List<Backup> list();

    /**
     * Brings the tables given (every table of the backup when none is) back from a backup, in one
     * transaction: it succeeds whole or leaves the database as it was. Every file's checksum and schema
     * are checked before the database is touched. A restore that would leave hired employees without
     * their department or job is refused.
     *
     * @param backupId an id from {@link #list()}, or {@link #LATEST}
     */
    RestoreResult restore(String backupId, RestoreMode mode, Table... tables);

    /** The same archiver, telling {@code progress} how its backups and restores advance. */
    Archiver withProgress(ArchiveProgress progress);

    /** An archiver of the HiringKit tables in {@code dataSource}, keeping backups in {@code store}. */
    static Archiver postgres(DataSource dataSource, ArchiveStore store) {
        return new PgArchiver(dataSource, store);
    }
}
