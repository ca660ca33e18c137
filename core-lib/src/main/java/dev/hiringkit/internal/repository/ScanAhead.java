package dev.hiringkit.internal.repository;

import dev.hiringkit.internal.csv.CsvReader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Scans a load's CSV records into {@link RecordBlock}s on a thread of its own, for {@link ReadAhead}'s thread to
 * check and encode: the scanning and decoding (about 40% of the reading's CPU) then run beside the data rules
 * and the encoding when two cores are free. Blocks come in the input's order and never straddle a chunk, so a
 * chunk's last block ends at its checkpoint. Only {@link #BLOCKS} blocks exist, passed back and forth, so at
 * most that many are read ahead of the checking; a failure of the source reaches the checking thread after
 * the records read before it, where the reading would have met it.
 */
final class ScanAhead implements AutoCloseable {

    private static final int BLOCKS = 4;
    private static final long STOP_WAIT_MILLIS = 5_000;

    private final CsvReader reader;
    private final int chunkSize;
    private final BlockingQueue<RecordBlock> full = new ArrayBlockingQueue<>(BLOCKS);
    private final BlockingQueue<RecordBlock> free = new ArrayBlockingQueue<>(BLOCKS);
    private final Thread thread;

    /** Scans {@code reader}'s records from where it stands, in chunks of {@code chunkSize} records. */
    ScanAhead(CsvReader reader, int chunkSize) {
        this.reader = reader;
        this.chunkSize = chunkSize;
        for (int i = 0; i < BLOCKS; i++) {
            free.add(new RecordBlock());
        }
        this.thread = new Thread(this::scanAll, "hiring-load-scanner");
        thread.setDaemon(true);
        thread.start();
    }

    /** The next block, in the input's order; one that {@link RecordBlock#end() ends} the input is the last. */
    RecordBlock take() throws InterruptedException {
        return full.take();
    }

    /** Gives back a block whose records were checked. */
    void recycle(RecordBlock block) {
        block.clear();
        free.add(block);
    }

    /** Stops the scanning, whatever it is doing, and waits for it (briefly) so the source can be closed. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scanAll() {
        try {
            int inChunk = 0;
            while (true) {
                RecordBlock block = free.take();
                block.fill(reader, chunkSize - inChunk);
                inChunk = (inChunk + block.count()) % chunkSize;
                full.add(block);
                if (block.end() || block.failure() != null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // stopped by close()
        }
    }
}
