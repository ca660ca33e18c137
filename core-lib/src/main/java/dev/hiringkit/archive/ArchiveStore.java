package dev.hiringkit.archive;

import dev.hiringkit.internal.archive.DirectoryStore;
import dev.hiringkit.internal.archive.S3Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where HiringKit keeps files it writes (rejects files, backups): a local directory or an object
 * store. Keys are relative paths with {@code /} separators, such as {@code backups/20210101T000000Z/jobs.avro}.
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

    /**
     * An archive in an S3 bucket (or an S3-compatible store) under a key prefix such as {@code "hiring/"}
     * ({@code ""} for the whole bucket). Objects are written with multipart uploads in constant memory.
     */
    static ArchiveStore s3(S3Client client, String bucket, String prefix) {
        return new S3Store(client, bucket, prefix);
    }

    /** An archive at an S3 location, {@code s3://bucket/prefix/}; see {@link #s3(S3Client, String, String)}. */
    static ArchiveStore s3(S3Client client, URI location) {
        return S3Store.at(client, location);
    }

    /**
     * A new S3 client from the AWS SDK's defaults: credentials from its default chain (environment,
     * profile, instance or container role), the region from its default chain or else us-east-1. With
     * an endpoint, such as {@code http://localhost:9000} for MinIO, requests go there in path style.
     * Close it when done.
     */
    static S3Client s3Client(Optional<URI> endpoint) {
        return S3Store.newClient(endpoint);
    }

    /** Writes an object's content to the stream it is given; the stream must not be closed by it. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }
}
