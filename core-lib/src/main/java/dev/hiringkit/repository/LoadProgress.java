package dev.hiringkit.repository;

/** Told of a load's progress after each committed chunk. */
@FunctionalInterface
public interface LoadProgress {

    /**
     * @param bytesRead bytes of the source read so far
     * @param totalBytes the source's size, or -1 when unknown
     * @param rowsRead records read so far
     */
    void update(long bytesRead, long totalBytes, long rowsRead);

    LoadProgress NONE = (bytesRead, totalBytes, rowsRead) -> { };
}
