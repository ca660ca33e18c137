package dev.hiringkit.archive;

import dev.hiringkit.internal.archive.DirectoryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where HiringKit keeps files it writes (rejects files, backups): a local directory or an object
 * store ({@link dev.hiringkit.archive.s3.S3Archive#store}). Keys are relative paths with {@code /}
 * separators, such as {@code backups/20210101T000000Z/jobs.avro}.
 */
public interface ArchiveStore {

    /**
     * Writes the object {@code key} with what {@code body} writes. The object appears, whole, only when
     * {@code body} returns; if {@code body} or the store fails, nothing appears and an object already
     * there is left as it was. Streams: any size fits in constant memory.
     */
    void write(String key, Body body) throws IOException;

    /** Opens an existing object for reading; a missing one is a {@link java.nio.file.NoSuchFileException}. */
    InputStream open(String key) throws IOException;

    /** Deletes an object; one that is not there is no error. */
    void delete(String key) throws IOException;

    /** The keys under a prefix, sorted; objects still being written are not listed. */
    List<String> list(String prefix) throws IOException;

    /** Where a key lives, for people: a file path or a URI. */
    String locate(String key);

    /** An archive in a local directory, created when first written to. */
    static ArchiveStore directory(Path root) {
        return new DirectoryStore(root);
    }

    /** Writes an object's content to the stream it is given; the stream must not be closed by it. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }
}
