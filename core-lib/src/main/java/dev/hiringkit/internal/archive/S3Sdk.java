package dev.hiringkit.internal.archive;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;

/**
 * Whether the AWS SDK's S3 client, an optional dependency of hiring-core, is on the class path; asked
 * before any class that names an SDK type is used, so a user without S3 gets a HiringException that
 * says what to add rather than a NoClassDefFoundError. Internal to HiringKit, not part of its API.
 */
public final class S3Sdk {

    private static final String CLIENT = "software.amazon.awssdk.services.s3.S3Client";

    private S3Sdk() {
    }

    /** Whether the SDK's S3 client can be loaded. */
    public static boolean isPresent() {
        try {
            Class.forName(CLIENT, false, S3Sdk.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Refuses {@code what} ("Reading s3://bucket/x.csv") with DEPENDENCY_MISSING when the SDK is absent. */
    public static void require(String what) {
        if (!isPresent()) {
            throw new HiringException(Code.DEPENDENCY_MISSING, what + " needs the AWS SDK's S3 client, an optional"
                    + " dependency of hiring-core: add software.amazon.awssdk:s3 to the application's dependencies.");
        }
    }
}
