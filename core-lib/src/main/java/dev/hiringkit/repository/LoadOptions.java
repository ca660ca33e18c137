package dev.hiringkit.repository;

/**
 * How a load reads and commits. Built with {@link #builder()}; {@link #defaults()} suits most loads.
 *
 * @param header whether the first record is a header row
 * @param chunkSize records per committed transaction
 * @param progress told after each chunk
 * @param restart start a new load even where an interrupted load of the same source could resume
 */
public record LoadOptions(Header header, int chunkSize, LoadProgress progress, boolean restart) {

    /** Whether a file starts with a header row. */
    public enum Header {
        /** Skip the first record when its fields are the table's column names. */
        DETECT,
        PRESENT,
        ABSENT
    }

    public LoadOptions {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be positive, got " + chunkSize);
        }
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

        public LoadOptions build() {
            return new LoadOptions(header, chunkSize, progress, restart);
        }
    }
}
