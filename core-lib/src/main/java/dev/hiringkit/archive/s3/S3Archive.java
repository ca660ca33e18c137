package dev.hiringkit.archive.s3;

import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.internal.archive.S3Sdk;
import dev.hiringkit.internal.archive.S3Store;
import dev.hiringkit.repository.SourceReader;
import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * HiringKit on S3 (or an S3-compatible store such as MinIO): an archive in a bucket, and the reader of
 * {@code s3://} load sources. The one place the AWS SDK appears in HiringKit's API; the SDK
 * ({@code software.amazon.awssdk:s3}) is an optional dependency of hiring-core, which a user of S3 adds.
 *
 * <pre>{@code
 * S3Client s3 = S3Archive.newClient(Optional.empty());
 * HiringKit kit = HiringKit.builder().dataSource(ds)
 *     .archive(S3Archive.store(s3, S3Location.parse("s3://bucket/hiring/")))
 *     .sourceReader(S3Archive.sourceReader(s3))
 *     .build();
 * }</pre>
 */
public final class S3Archive {

    private S3Archive() {
    }

    /**
     * An archive in an S3 bucket under a key prefix such as {@code "hiring/"} ({@code ""} for the whole
     * bucket). Objects are written with multipart uploads in constant memory. The caller closes the client.
     */
    public static ArchiveStore store(S3Client client, String bucket, String prefix) {
        return new S3Store(client, new S3Location(bucket, prefix));
    }

    /** An archive at an S3 prefix, {@code s3://bucket/prefix/}; see {@link #store(S3Client, String, String)}. */
    public static ArchiveStore store(S3Client client, S3Location location) {
        return new S3Store(client, location);
    }

    /**
     * An archive at an S3 prefix reached with a client of its own from the SDK's defaults (see
     * {@link #newClient}): the {@code HiringKit} it is given to closes that client when it is closed.
     */
    public static ArchiveStore store(S3Location location) {
        S3Sdk.require("An S3 archive");
        return S3Store.owningItsClient(newClient(Optional.empty()), location);
    }

    /** Reads {@code s3://} load sources with {@code client}, which the caller closes. */
    public static SourceReader sourceReader(S3Client client) {
        return prefix -> new S3Store(client, S3Location.parse(prefix));
    }

    /**
     * A new S3 client from the AWS SDK's defaults: credentials from its default chain (environment,
     * profile, instance or container role), the region from its default chain or else us-east-1. With
     * an endpoint, such as {@code http://localhost:9000} for MinIO, requests go there in path style.
     * Close it when done.
     */
    public static S3Client newClient(Optional<URI> endpoint) {
        S3Sdk.require("An S3 client");
        return S3Store.newClient(endpoint);
    }
}
