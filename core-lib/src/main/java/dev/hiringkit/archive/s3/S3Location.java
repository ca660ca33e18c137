package dev.hiringkit.archive.s3;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import java.net.URI;

/**
 * An S3 location, {@code s3://bucket/key}: an object, or a prefix when the key is empty or ends with
 * {@code /}. The one place HiringKit (and its server and command line) tells an S3 location from a local
 * path and takes one apart. Needs no AWS SDK.
 *
 * @param bucket the bucket, never empty
 * @param key    the object's key or the prefix, without a leading {@code /}; empty for the whole bucket
 */
public record S3Location(String bucket, String key) {

    private static final String SCHEME = "s3://";

    public S3Location {
        if (bucket == null || bucket.isBlank() || bucket.contains("/")) {
            throw new HiringException(Code.INVALID_ARGUMENT, "Not an S3 bucket name: " + bucket);
        }
        key = key == null ? "" : key;
        while (key.startsWith("/")) {
            key = key.substring(1);
        }
    }

    /** Whether {@code location} names an S3 object or prefix ({@code s3://...}, any case) rather than a local path. */
    public static boolean isS3(String location) {
        return location != null && location.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /** Whether {@code location} is an {@code s3:} URI. */
    public static boolean isS3(URI location) {
        return location != null && "s3".equalsIgnoreCase(location.getScheme());
    }

    /**
     * The location {@code s3://bucket/key} names; refused with {@link Code#INVALID_ARGUMENT} when it is not
     * one (another scheme, no bucket).
     */
    public static S3Location parse(String location) {
        if (!isS3(location)) {
            throw new HiringException(Code.INVALID_ARGUMENT,
                    "Expected an S3 location such as s3://bucket/prefix/, got " + location);
        }
        String rest = location.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isEmpty()) {
            throw new HiringException(Code.INVALID_ARGUMENT, "An S3 location names its bucket: s3://bucket/key, not "
                    + location);
        }
        return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    /** As {@link #parse(String)}, from a URI. */
    public static S3Location parse(URI location) {
        return parse(location.toString());
    }

    /** Whether this names a prefix (a directory of objects) rather than one object. */
    public boolean isPrefix() {
        return key.isEmpty() || key.endsWith("/");
    }

    /** This location as a prefix: its key ending with {@code /} (the whole bucket when the key is empty). */
    public S3Location asPrefix() {
        return isPrefix() ? this : new S3Location(bucket, key + "/");
    }

    /** The last segment of the key, such as {@code jobs.csv}; empty for a prefix. */
    public String name() {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** The prefix this object is in, such as {@code s3://bucket/data/} for {@code s3://bucket/data/jobs.csv}. */
    public S3Location parent() {
        return new S3Location(bucket, key.substring(0, key.lastIndexOf('/') + 1));
    }

    /** As a URI, {@code s3://bucket/key}. */
    public URI toUri() {
        return URI.create(toString());
    }

    /** {@code s3://bucket/key}. */
    @Override
    public String toString() {
        return SCHEME + bucket + "/" + key;
    }
}
