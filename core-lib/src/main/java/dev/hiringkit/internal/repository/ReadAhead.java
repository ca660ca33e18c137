package dev.hiringkit.internal.repository;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.Table;
import dev.hiringkit.internal.csv.CsvReader;
import dev.hiringkit.internal.db.CopyBuffer;
import dev.hiringkit.internal.repository.LoadLog.Totals;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.validation.Validator;
import dev.hiringkit.validation.Violation;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Reads, checks and encodes a load's records on a thread of its own, a chunk at a time, handing the
 * load's connection full COPY buffers and, at each chunk's end, its rejections and checkpoint. So the
 * JVM's work (about 1.1 s of CPU per million rows) goes on while the connection sends, and while the
 * previous chunk writes its rejections, its checkpoint and commits, which the reading thread used to
 * wait for.
 *
 * <p>The reader starts a chunk only once {@link #allow allowed}: the load lets it read one chunk ahead
 * only once the table is guarded for the load (nothing it checks against changes then but the parents,
 * which the load reads again between chunks and {@link StoredIds} publishes whole); before, chunk by
 * chunk, since the load changes the stored ids between chunks. Memory stays bounded: {@link #BUFFERS}
 * buffers of 256 KiB, and at most two chunks' rejections.
 */
final class ReadAhead implements AutoCloseable {

    /** 2 MiB of encoded rows, more than one chunk of 50,000 rows (about 1.5 MB). */
    private static final int BUFFERS = 8;
    private static final long STOP_WAIT_MILLIS = 5_000;

    /** What the reader hands over, in order: encoded bytes, then the end of their chunk; or why it failed. */
    sealed interface Piece permits Bytes, ChunkEnd, Failure {
    }

    record Bytes(byte[] bytes, int length) implements Piece {
    }

    /** A chunk read: its rejections, the totals at its end (its checkpoint), and whether records follow. */
    record ChunkEnd(List<RejectionLog.Entry> rejections, Totals totals, boolean more) implements Piece {
    }

    record Failure(Throwable cause) implements Piece {
    }

    private final Table table;
    private final CsvReader reader;
    private final Validator.Scope scope;
    private final LoadOptions options;
    private final Totals totals;
    private final BlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final Semaphore chunksAllowed = new Semaphore(0);
    private final Thread thread;
    private CopyBuffer out;
    private int allowed;
    private volatile boolean stopped;

    /**
     * A reader of {@code reader}'s records past those already stored, starting from {@code done}, the
     * totals of the chunks committed before; it starts reading once {@link #allow allowed}.
     */
    ReadAhead(Table table, CsvReader reader, Validator.Scope scope, LoadOptions options, Totals done) {
        this.table = table;
        this.reader = reader;
        this.scope = scope;
        this.options = options;
        this.totals = done.copy();
        for (int i = 0; i < BUFFERS; i++) {
            free.add(CopyBuffer.newBuffer());
        }
        this.thread = new Thread(this::readAll, "hiring-load-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Lets the reader start chunks until it has started {@code chunks} in all. */
    void allow(int chunks) {
        if (chunks > allowed) {
            chunksAllowed.release(chunks - allowed);
            allowed = chunks;
        }
    }

    /** The next piece; a failure of the reader is thrown as it was. */
    Piece take() throws IOException, SQLException {
        Piece piece;
        try {
            piece = pieces.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HiringException(Code.DATABASE_ERROR, "Interrupted while loading " + table.sqlName(), e);
        }
        if (piece instanceof Failure failure) {
            if (failure.cause() instanceof IOException io) {
                throw io;
            }
            if (failure.cause() instanceof SQLException sql) {
                throw sql;
            }
            if (failure.cause() instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) failure.cause();
        }
        return piece;
    }

    /** Gives back a buffer whose bytes were sent. */
    void recycle(byte[] bytes) {
        free.offer(bytes);
    }

    /** Stops the reader, whatever it is doing, and waits for it (briefly) so the source can be closed. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readAll() {
        try {
            out = new CopyBuffer(free.take()); // one buffer at a time: the rest are sent or free
            boolean more = true;
            boolean mayBeHeader = reader.records() == 0;
            while (more && !stopped) {
                chunksAllowed.acquire();
                more = readChunk(mayBeHeader);
            }
        } catch (InterruptedException e) {
            // stopped by close()
        } catch (Throwable e) { // whatever stops the reader must reach the load, which waits for it
            pieces.add(new Failure(e));
        }
    }

    private boolean readChunk(boolean mayBeHeader) throws IOException, SQLException, InterruptedException {
        out.start(this::handOver);
        List<RejectionLog.Entry> rejections = new ArrayList<>();
        boolean more = true;
        int read = 0;
        while (read < options.chunkSize()) {
            if (!reader.next()) {
                more = false;
                break;
            }
            read++;
            if (mayBeHeader && reader.records() == 1 && LoadRecords.isHeader(table, reader.fields(), options)) {
                continue;
            }
            totals.rowsRead++;
            List<Violation> violations = LoadRecords.check(table, reader, scope, out);
            if (violations.isEmpty()) {
                totals.inserted++;
            } else {
                totals.rejected++;
                violations.stream().map(Violation::code).distinct()
                        .forEach(code -> totals.byCode.merge(code, 1L, Long::sum));
                rejections.add(new RejectionLog.Entry(reader.line(), reader.raw(), violations));
            }
        }
        out.finish();
        totals.recordsDone = reader.records();
        totals.bytesDone = reader.bytesRead();
        totals.checksum = reader.checksum();
        pieces.add(new ChunkEnd(rejections, totals.copy(), more));
        return more;
    }

    /** A full buffer to the load's connection, for a free one to go on with. */
    private byte[] handOver(byte[] bytes, int length) {
        pieces.add(new Bytes(bytes, length));
        try {
            byte[] next = free.poll();
            while (next == null) {
                if (stopped) {
                    throw new IllegalStateException("the load stopped");
                }
                next = free.poll(100, TimeUnit.MILLISECONDS);
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the load stopped", e);
        }
    }
}
