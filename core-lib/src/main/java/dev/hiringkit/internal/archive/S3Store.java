package dev.hiringkit.internal.archive;

import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.archive.s3.S3Location;
import dev.hiringkit.repository.SourceReader;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * An archive in an S3 bucket under a key prefix. An object is buffered and sent a part at a time (a
 * multipart upload), so any size fits in constant memory; it appears only when the upload completes,
 * and a failed write aborts the upload. An object that fits in one part is sent with one PutObject.
 */
public final class S3Store implements ArchiveStore, ClientOwner {

    /** Bytes per uploaded part: S3 allows 10,000 parts, so objects up to about 78 GiB. */
    public static final int PART_SIZE = 8 << 20;

    /** The first buffer of a write; it grows to a part as the object does, so small objects stay cheap. */
    private static final int FIRST_BUFFER = 64 << 10;

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final boolean ownsClient;

    /** A store under {@code location}, a prefix (a {@code /} is added to a key that does not end with one). */
    public S3Store(S3Client client, S3Location location) {
        this(client, location, false);
    }

    private S3Store(S3Client client, S3Location location, boolean ownsClient) {
        this.client = client;
        this.bucket = location.bucket();
        this.prefix = location.asPrefix().key();
        this.ownsClient = ownsClient;
    }

    /** A store that owns {@code client}: the kit it is given to closes it. */
    public static S3Store owningItsClient(S3Client client, S3Location location) {
        return new S3Store(client, location, true);
    }

    @Override
    public Optional<AutoCloseable> ownedClient() {
        return ownsClient ? Optional.of(client) : Optional.empty();
    }

    /** A reader of s3:// sources with a new client from the defaults, handed to {@code own} to close. */
    static SourceReader readerWithOwnClient(Consumer<AutoCloseable> own) {
        S3Client client = newClient(Optional.empty());
        own.accept(client);
        return S3Archive.sourceReader(client);
    }

    /**
     * A client from the AWS SDK's defaults: credentials from its default chain, the region from its
     * default chain or else us-east-1. With an endpoint, requests go there in path style, as
     * S3-compatible stores (MinIO, Ceph, ...) expect.
     */
    public static S3Client newClient(Optional<URI> endpoint) {
        S3ClientBuilder builder = S3Client.builder().region(defaultRegion());
        if (endpoint.isPresent()) {
            builder.endpointOverride(endpoint.get()).forcePathStyle(true);
        } else {
            // A bucket in another region than the configured one is still reached.
            builder.crossRegionAccessEnabled(true);
        }
        return builder.build();
    }

    private static Region defaultRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkException e) {
            return Region.US_EAST_1;
        }
    }

    @Override
    public void write(String key, Body body) throws IOException {
        PartUpload upload = new PartUpload(objectKey(key), locate(key));
        try {
            body.writeTo(upload);
            upload.complete();
        } catch (IOException | RuntimeException | Error e) {
            upload.abort(e);
            throw e;
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            client.deleteObject(b -> b.bucket(bucket).key(objectKey(key)));
        } catch (SdkException | IllegalStateException e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return new ObjectStream(client.getObject(b -> b.bucket(bucket).key(objectKey(key))));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                NoSuchFileException missing = new NoSuchFileException(locate(key));
                missing.initCause(e);
                throw missing;
            }
            throw failure("read", key, e);
        } catch (SdkException | IllegalStateException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public List<String> list(String keyPrefix) throws IOException {
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + keyPrefix))
                    .contents()) {
                // A key ending in "/" is a folder marker some consoles create, not an object of ours.
                if (!object.key().endsWith("/")) {
                    keys.add(object.key().substring(prefix.length()));
                }
            }
        } catch (SdkException | IllegalStateException e) {
            throw failure("list", keyPrefix, e);
        }
        Collections.sort(keys);
        return keys;
    }

    @Override
    public String locate(String key) {
        return new S3Location(bucket, prefix + key).toString();
    }

    private String objectKey(String key) {
        if (key.isEmpty() || key.startsWith("/") || Arrays.stream(key.split("/", -1))
                .anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
            throw new HiringException(Code.INVALID_ARGUMENT, "Not a relative archive key: " + key);
        }
        return prefix + key;
    }

    /** A request that failed, or a client already closed (the SDK's IllegalStateException), as an IOException. */
    private IOException failure(String action, String key, RuntimeException e) {
        return new IOException("Could not " + action + " " + locate(key) + ": " + e.getMessage(), e);
    }

    /**
     * The stream a body writes to: one part buffered at a time. The multipart upload starts with the
     * first full part; until then nothing has been sent.
     */
    private final class PartUpload extends OutputStream {
        private final String objectKey;
        private final String location;
        private byte[] buffer = new byte[FIRST_BUFFER];
        private int count;
        private String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();

        PartUpload(String objectKey, String location) {
            this.objectKey = objectKey;
            this.location = location;
        }

        @Override
        public void write(int b) throws IOException {
            if (count == buffer.length) {
                makeRoom();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                if (count == buffer.length) {
                    makeRoom();
                }
                int n = Math.min(len, buffer.length - count);
                System.arraycopy(b, off, buffer, count, n);
                count += n;
                off += n;
                len -= n;
            }
        }

        /** The body may close its stream; the object is completed only when the body returns. */
        @Override
        public void close() {
        }

        /** Grows the buffer up to a part, then sends the full part and reuses the buffer. */
        private void makeRoom() throws IOException {
            if (buffer.length < PART_SIZE) {
                buffer = Arrays.copyOf(buffer, Math.min(PART_SIZE, buffer.length * 2));
            } else {
                sendPart();
            }
        }

        private void sendPart() throws IOException {
            try {
                if (uploadId == null) {
                    uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(objectKey)
                            .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
                }
                int number = parts.size() + 1;
                UploadPartResponse sent = client.uploadPart(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId)
                        .partNumber(number).checksumAlgorithm(ChecksumAlgorithm.CRC32), body());
                parts.add(CompletedPart.builder().partNumber(number).eTag(sent.eTag())
                        .checksumCRC32(sent.checksumCRC32()).build());
                count = 0;
            } catch (SdkException | IllegalStateException e) {
                throw new IOException("Could not write " + location + ": " + e.getMessage(), e);
            }
        }

        /** The buffered bytes, readable again should the SDK retry the request. */
        private RequestBody body() {
            byte[] bytes = buffer;
            int length = count;
            return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                    "application/octet-stream");
        }

        void complete() throws IOException {
            try {
                if (uploadId == null) {
                    client.putObject(b -> b.bucket(bucket).key(objectKey), body());
                    return;
                }
                if (count > 0) {
                    sendPart();
                }
                client.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts)));
            } catch (SdkException | IllegalStateException e) {
                throw new IOException("Could not write " + location + ": " + e.getMessage(), e);
            }
        }

        /** Best effort: the error that made the write fail is the one to report. */
        void abort(Throwable cause) {
            if (uploadId == null) {
                return;
            }
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
            } catch (SdkException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * An object being read. Closed before its end, it drops the connection instead of reading the rest
     * of a possibly large object to reuse it.
     */
    private static final class ObjectStream extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private boolean ended;

        ObjectStream(ResponseInputStream<GetObjectResponse> response) {
            super(response);
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                ended |= b < 0;
                return b;
            } catch (SdkException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                ended |= n < 0;
                return n;
            } catch (SdkException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            if (!ended) {
                response.abort();
            }
            super.close();
        }
    }
}
