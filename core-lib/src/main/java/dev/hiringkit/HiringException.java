package dev.hiringkit;

/** The one exception the library throws: a stable {@link Code} for programs and a message for people. */
public final class HiringException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, stable across versions. */
    public enum Code {
        UNKNOWN_TABLE,
        EMPTY_BATCH,
        BATCH_TOO_LARGE,
        LOAD_IN_PROGRESS,
        SOURCE_CHANGED,
        SOURCE_NOT_FOUND,
        ARCHIVE_ERROR,
        BACKUP_NOT_FOUND,
        BACKUP_DAMAGED,
        SCHEMA_MISMATCH,
        RESTORE_WOULD_ORPHAN,
        DATABASE_ERROR,
        /**
         * The database could not be reached, or went away during the operation (a restart, a lost
         * connection): the operation did not take effect, or a load kept only its committed chunks. Worth
         * trying again once the database is back.
         */
        DATABASE_UNAVAILABLE,
        INVALID_ARGUMENT,
        /**
         * An idempotency key sent again with a request other than the one it was first used for: a retry
         * must repeat its request exactly; a new request needs a new key.
         */
        IDEMPOTENCY_KEY_REUSED,
        /**
         * A fault of HiringKit itself, not of the input or the database: the cause holds the details; worth
         * reporting.
         */
        INTERNAL_ERROR,
        /**
         * An optional part of HiringKit was used without the library it needs on the class path (S3 without
         * the AWS SDK's {@code software.amazon.awssdk:s3}): the message names the artifact to add.
         */
        DEPENDENCY_MISSING,
        /**
         * A table was being bulk loaded without its keys (a historical load keeps out every other writer of
         * it meanwhile): nothing was stored. Worth sending again once the load has ended.
         */
        TABLE_BUSY
    }

    private final Code code;

    public HiringException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public HiringException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
