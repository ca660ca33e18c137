package dev.hiringkit.repository;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import java.util.Optional;

/**
 * How a load reads and commits. Built with {@link #builder()}; {@link #defaults()} suits most loads.
 *
 * @param header whether the first record is a header row
 * @param chunkSize records per committed transaction
 * @param progress told after each chunk
 * @param restart start a new load even where an interrupted load of the same source could resume
 * @param madeBy who asks for the load, recorded with it and its rejected records (see {@link Builder#madeBy})
 * @param idempotencyKey makes sending the load again safe (see {@link Builder#idempotencyKey})
 * @param contentSha256 the SHA-256 of the bytes to load, when the caller knows it (see {@link Builder#contentSha256})
 */
public record LoadOptions(Header header, int chunkSize, LoadProgress progress, boolean restart,
        Optional<String> madeBy, Optional<String> idempotencyKey, Optional<String> contentSha256) {

    /** The longest name {@link Builder#madeBy} takes. */
    static final int MAX_MADE_BY = 256;

    /** Whether a file starts with a header row. */
    public enum Header {
        /** Skip the first record when its fields are the table's column names. */
        DETECT,
        PRESENT,
        ABSENT
    }

    public LoadOptions {
        if (chunkSize < 1) {
            throw new HiringException(Code.INVALID_ARGUMENT, "chunkSize must be positive, got " + chunkSize);
        }
        madeBy = madeBy == null ? Optional.empty() : madeBy;
        madeBy.ifPresent(LoadOptions::checkMadeBy);
        idempotencyKey = idempotencyKey == null ? Optional.empty() : idempotencyKey;
        contentSha256 = contentSha256 == null ? Optional.empty() : contentSha256;
    }

    /** The same options telling {@code progress} instead. */
    public LoadOptions withProgress(LoadProgress progress) {
        return new LoadOptions(header, chunkSize, progress, restart, madeBy, idempotencyKey, contentSha256);
    }

    public static LoadOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link LoadOptions}. */
    public static final class Builder {
        private Header header = Header.DETECT;
        private int chunkSize = 50_000;
        private LoadProgress progress = LoadProgress.NONE;
        private boolean restart;
        private String madeBy;
        private String idempotencyKey;
        private String contentSha256;

        private Builder() {
        }

        public Builder header(Header header) {
            this.header = header;
            return this;
        }

        public Builder chunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        public Builder progress(LoadProgress progress) {
            this.progress = progress;
            return this;
        }

        public Builder restart(boolean restart) {
            this.restart = restart;
            return this;
        }

        /**
         * Who asks for the load, as the caller names them (the server gives {@code user:alice} or
         * {@code client:nightly-etl}): recorded in the {@code loads} row and with each rejected record.
         * Null, the default, records no one.
         */
        public Builder madeBy(String madeBy) {
            this.madeBy = madeBy;
            return this;
        }

        /**
         * Makes sending the same load again safe (a client that lost the answer retries): the key (1 to 255
         * printable ASCII characters) is recorded with the load's row when the load is created, and for as
         * long as keys are kept (24 hours by default) the same load with the same key does not start another
         * load: it returns the load the key names ({@link LoadResult#replayed()} true), as it is now (DONE, or
         * RUNNING while another process runs it), or resumes it if it was interrupted. The same key with another
         * table, source, header or restart is refused with
         * {@link dev.hiringkit.HiringException.Code#IDEMPOTENCY_KEY_REUSED}. Keys are per {@link #madeBy}. A
         * directory load keys each of its files' loads.
         */
        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey == null ? null
                    : dev.hiringkit.internal.db.IdempotencyKeys.checkKey(idempotencyKey);
            return this;
        }

        /**
         * The SHA-256 (hex) of the bytes a stream load reads, when the caller knows it (the server does for an
         * upload sent with a key): with an {@link #idempotencyKey}, the same key with other bytes is then
         * refused rather than answered with the first bytes' load. Without it a stream load's request is its
         * table, source name, header and restart.
         */
        public Builder contentSha256(String contentSha256) {
            this.contentSha256 = contentSha256;
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(header, chunkSize, progress, restart, Optional.ofNullable(madeBy),
                    Optional.ofNullable(idempotencyKey), Optional.ofNullable(contentSha256));
        }
    }

    /** A name of who made a load or batch: 1 to 256 characters, not blank, no U+0000 (PostgreSQL cannot store it). */
    static String checkMadeBy(String madeBy) {
        if (madeBy.isBlank() || madeBy.length() > MAX_MADE_BY || madeBy.indexOf('\0') >= 0) {
            throw new HiringException(Code.INVALID_ARGUMENT, "madeBy must be 1 to " + MAX_MADE_BY
                    + " characters, not blank and without U+0000");
        }
        return madeBy;
    }
}
