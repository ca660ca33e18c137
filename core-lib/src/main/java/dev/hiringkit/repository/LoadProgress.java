package dev.hiringkit.repository;

import dev.hiringkit.Table;

/** Told of a load's progress as it begins and after each committed chunk, table by table. */
@FunctionalInterface
public interface LoadProgress {

    /**
     * @param bytesRead bytes of the source read so far
     * @param totalBytes the source's size, or -1 when unknown
     * @param rowsRead records read so far
     */
    void update(long bytesRead, long totalBytes, long rowsRead);

    /**
     * Told as the load of one source begins, before its first chunk; a directory load tells it once per
     * file it loads (not for a file it had loaded before it stopped, see
     * {@link HiringRepository#loadDirectory(java.nio.file.Path, LoadOptions)}). Does nothing by default.
     *
     * @param totalBytes the source's size, or -1 when unknown
     */
    default void started(Table table, String source, long totalBytes) {
    }

    /**
     * Told once the load has its row in the loads table (a new row, or that of the interrupted load it
     * resumes), before its first chunk: {@code loadId} is the id under which
     * {@link HiringRepository#findLoad(java.util.UUID)} and its rejections find it while it runs. A
     * directory load tells it once per file it loads. Does nothing by default.
     */
    default void recorded(java.util.UUID loadId) {
    }

    /**
     * Told after each committed chunk, naming the table it was loaded into (a directory load goes through
     * its three tables one after the other). Passes the numbers on to {@link #update} by default.
     *
     * @param totalBytes the source's size, or -1 when unknown
     */
    default void chunkCommitted(Table table, long bytesRead, long totalBytes, long rowsRead) {
        update(bytesRead, totalBytes, rowsRead);
    }

    LoadProgress NONE = (bytesRead, totalBytes, rowsRead) -> { };
}
