package dev.hiringkit.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where HiringKit keeps files it writes (rejects files, backups): a local directory or an object
 * store. Keys are relative paths with {@code /} separators, such as {@code rejects/jobs/jobs.csv-...}.
 */
public interface ArchiveStore {

    /** Opens a new object for writing; it becomes visible, whole, when the stream is closed. */
    OutputStream create(String key) throws IOException;

    /** Opens an existing object for reading. */
    InputStream open(String key) throws IOException;

    /** The keys under a prefix, sorted. */
    List<String> list(String prefix) throws IOException;

    /** Where a key lives, for people: a file path or a URI. */
    String locate(String key);

    /** An archive in a local directory, created when first written to. */
    static ArchiveStore directory(Path root) {
        return new DirectoryStore(root);
    }
}
