package dev.hiringkit.internal.archive;

import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import java.io.IOException;

/**
 * Tells whose fault a failure is: the backup file's (damaged), or the archive store's (it failed as a
 * file was read or written, which says nothing of the file).
 */
final class ArchiveFailures {

    private ArchiveFailures() {
    }

    static HiringException damaged(ArchiveStore store, Backup.TableFile file, String why) {
        return new HiringException(Code.BACKUP_DAMAGED, "The backup file " + store.locate(file.key())
                + " is damaged: " + why);
    }

    static HiringException missing(ArchiveStore store, Backup.TableFile file) {
        return new HiringException(Code.BACKUP_DAMAGED, "The backup file " + store.locate(file.key()) + " is missing");
    }

    static HiringException archiveError(String what, IOException e) {
        return new HiringException(Code.ARCHIVE_ERROR, what + ": " + e.getMessage(), e);
    }

    /** The archive store failed as a file was read: not the file's fault. */
    static final class StoreReadException extends IOException {
        private static final long serialVersionUID = 1L;

        StoreReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A read from the store. */
    interface StoreRead {
        int read() throws IOException;
    }

    /** Runs a read from the store, tagging its failure as the store's. */
    static int readFromStore(StoreRead read) throws StoreReadException {
        try {
            return read.read();
        } catch (StoreReadException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreReadException(e);
        }
    }
}
