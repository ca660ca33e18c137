package dev.hiringkit.internal.archive;

import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.internal.archive.ArchiveFailures.StoreReadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a restore reads its files: a directory's in place; a remote store's (S3) from temporary
 * copies, downloaded before the restore locks its tables, so that a slow store never holds them.
 */
final class RestoreDownloads implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreDownloads.class);

    private final ArchiveStore store;
    private final Map<String, Path> copies = new HashMap<>();

    RestoreDownloads(ArchiveStore store) {
        this.store = store;
    }

    /** Downloads the files of a remote store; a missing or unreadable one fails before the database is touched. */
    void prefetch(Iterable<Backup.TableFile> files) {
        if (store instanceof DirectoryStore) {
            return;
        }
        for (Backup.TableFile file : files) {
            try {
                download(file.key());
            } catch (NoSuchFileException e) {
                throw ArchiveFailures.missing(store, file);
            } catch (IOException e) {
                throw ArchiveFailures.archiveError("Reading " + store.locate(file.key()) + " failed",
                        e instanceof StoreReadException && e.getCause() instanceof IOException io ? io : e);
            }
        }
    }

    /** The file, from the copy downloaded at its first opening when the store is remote. */
    InputStream open(Backup.TableFile file) throws IOException {
        if (store instanceof DirectoryStore) {
            return store.open(file.key());
        }
        Path copy = copies.get(file.key());
        return Files.newInputStream(copy != null ? copy : download(file.key()));
    }

    /** A missing object stays a NoSuchFileException; any other failure is the store's, not the file's. */
    private Path download(String key) throws IOException {
        try {
            Path copy = Files.createTempFile("hiring-restore-", ".avro");
            copies.put(key, copy);
            try (InputStream in = store.open(key)) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreReadException(e);
        }
    }

    @Override
    public void close() {
        for (Path copy : copies.values()) {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                LOG.warn("Could not delete the temporary copy {}", copy, e);
            }
        }
    }
}
