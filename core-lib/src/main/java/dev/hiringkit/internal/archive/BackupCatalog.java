package dev.hiringkit.internal.archive;

import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Archiver;
import dev.hiringkit.archive.Backup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The complete backups of an archive store: lists them and finds one, reading and checking its manifest
 * (a backup without one is incomplete, and a manifest must speak of its own backup's files only).
 */
final class BackupCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(BackupCatalog.class);

    private final ArchiveStore store;

    BackupCatalog(ArchiveStore store) {
        this.store = store;
    }

    /** The complete backups, newest first; one whose manifest is unreadable is left out (and logged). */
    List<Backup> list() {
        List<Backup> backups = new ArrayList<>();
        try {
            for (String key : store.list(BackupKeys.PREFIX)) {
                String[] parts = key.substring(BackupKeys.PREFIX.length()).split("/");
                if (parts.length == 2 && BackupKeys.ID.matcher(parts[0]).matches()
                        && parts[1].equals(BackupKeys.MANIFEST)) {
                    try {
                        backups.add(readManifest(parts[0]));
                    } catch (HiringException | IOException e) {
                        LOG.warn("Backup {} is not listed: {}", parts[0], e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw ArchiveFailures.archiveError("Listing the backups failed", e);
        }
        backups.sort(Comparator.comparing(Backup::id).reversed());
        return backups;
    }

    /**
     * The backup of that id, or for {@link Archiver#LATEST} (or null) the newest complete one that holds
     * every table of {@code tables}.
     */
    Backup find(String backupId, List<Table> tables) {
        if (backupId == null || backupId.equals(Archiver.LATEST)) {
            return list().stream()
                    .filter(b -> tables.stream().allMatch(t -> b.table(t).isPresent()))
                    .findFirst()
                    .orElseThrow(() -> new HiringException(Code.BACKUP_NOT_FOUND, "No complete backup"
                            + (tables.isEmpty() ? "" : " holds " + Archiving.names(tables)) + " in "
                            + store.locate(BackupKeys.PREFIX)));
        }
        if (!BackupKeys.ID.matcher(backupId).matches()) {
            throw new HiringException(Code.BACKUP_NOT_FOUND, "'" + backupId
                    + "' is not a backup id (like 20210714T093015123Z-3fa9) nor '" + Archiver.LATEST + "'");
        }
        String key = BackupKeys.manifest(backupId);
        try {
            return readManifest(backupId);
        } catch (NoSuchFileException e) {
            throw new HiringException(Code.BACKUP_NOT_FOUND, "No complete backup " + backupId + ": "
                    + store.locate(key) + " is missing (a backup without its manifest is incomplete)");
        } catch (IOException e) {
            throw ArchiveFailures.archiveError("Reading " + store.locate(key) + " failed", e);
        }
    }

    /** A backup's manifest, which must speak of that backup and of its own files only. */
    private Backup readManifest(String id) throws IOException {
        String key = BackupKeys.manifest(id);
        Backup backup;
        try (InputStream in = store.open(key)) {
            backup = BackupManifest.read(in, store.locate(key));
        }
        boolean own = backup.id().equals(id) && backup.tables().stream()
                .allMatch(f -> f.key().equals(BackupKeys.file(id, f.table())))
                && backup.tables().stream().map(Backup.TableFile::table).distinct().count() == backup.tables().size();
        if (!own) {
            throw new HiringException(Code.BACKUP_DAMAGED, "The manifest " + store.locate(key)
                    + " does not describe the files of backup " + id);
        }
        return backup;
    }
}
