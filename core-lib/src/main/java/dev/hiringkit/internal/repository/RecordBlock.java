package dev.hiringkit.internal.repository;

import dev.hiringkit.internal.csv.CsvReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Up to {@link #CAPACITY} records as a {@link CsvReader} read them (fields, problem, line and raw text), and
 * the reader's position after the last: what the scanning thread of a load hands its checking thread. A block
 * is filled, checked, then filled again (the two threads pass a few back and forth), so its arrays are
 * allocated once.
 */
final class RecordBlock {

    /** Records per block: small enough to keep both threads busy, large enough to make the hand-offs rare. */
    static final int CAPACITY = 1_000;
    /** A block is full past this much raw text too, so that long records keep the memory bounded. */
    private static final int RAW_BYTES = 256 * 1024;
    private static final int FIRST_RAW = 64 * CAPACITY;

    private final List<?>[] fields = new List<?>[CAPACITY];
    private final CsvReader.Problem[] problems = new CsvReader.Problem[CAPACITY];
    private final long[] lines = new long[CAPACITY];
    /** Where each record's raw text starts in {@link #raw}; -1 for a record kept as a preview. */
    private final int[] rawStarts = new int[CAPACITY];
    private final int[] rawLengths = new int[CAPACITY];
    private final String[] previews = new String[CAPACITY];
    private byte[] raw = new byte[FIRST_RAW];
    private int rawUsed;
    private int count;
    private long firstRecord;
    private boolean end;
    private long records;
    private long bytesRead;
    private long checksum;
    private Throwable failure;

    /**
     * Reads up to {@code max} records (at most {@link #CAPACITY}) from {@code reader}; {@link #end()} tells
     * whether the input ended before. A failure of the reader is kept, to be thrown where it is checked.
     */
    void fill(CsvReader reader, int max) {
        count = 0;
        rawUsed = 0;
        end = false;
        failure = null;
        firstRecord = reader.records() + 1;
        if (raw.length > RAW_BYTES) {
            raw = new byte[FIRST_RAW]; // grown for a long record: not kept
        }
        try {
            int wanted = Math.min(max, CAPACITY);
            while (count < wanted && rawUsed < RAW_BYTES) {
                if (!reader.next()) {
                    end = true;
                    break;
                }
                add(reader);
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        }
        records = reader.records();
        bytesRead = reader.bytesRead();
        checksum = reader.checksum();
    }

    private void add(CsvReader reader) {
        int i = count++;
        fields[i] = reader.fields();
        problems[i] = reader.problem();
        lines[i] = reader.line();
        int length = reader.rawLength();
        if (length < 0) {
            rawStarts[i] = -1;
            previews[i] = reader.raw();
            return;
        }
        if (rawUsed + length > raw.length) {
            raw = Arrays.copyOf(raw, Math.max(raw.length * 2, rawUsed + length));
        }
        reader.copyRaw(raw, rawUsed);
        rawStarts[i] = rawUsed;
        rawLengths[i] = length;
        previews[i] = null;
        rawUsed += length;
    }

    /** Records in the block. */
    int count() {
        return count;
    }

    /** Whether the input ended after these records. */
    boolean end() {
        return end;
    }

    /** The reader's failure after these records, or null; the records before it are in the block. */
    Throwable failure() {
        return failure;
    }

    @SuppressWarnings("unchecked")
    List<String> fields(int i) {
        return (List<String>) fields[i];
    }

    CsvReader.Problem problem(int i) {
        return problems[i];
    }

    long line(int i) {
        return lines[i];
    }

    /** The record's number in the input, counted as {@link CsvReader#records()} counts it (1-based). */
    long record(int i) {
        return firstRecord + i;
    }

    /** The record's text as it stands in the input, as {@link CsvReader#raw()} gave it. */
    String raw(int i) {
        return rawStarts[i] < 0 ? previews[i] : new String(raw, rawStarts[i], rawLengths[i], StandardCharsets.UTF_8);
    }

    /** {@link CsvReader#records()} after the block's last record. */
    long records() {
        return records;
    }

    /** {@link CsvReader#bytesRead()} after the block's last record. */
    long bytesRead() {
        return bytesRead;
    }

    /** {@link CsvReader#checksum()} after the block's last record. */
    long checksum() {
        return checksum;
    }

    /** Drops the references to the records' fields, so a block waiting to be filled holds no garbage. */
    void clear() {
        Arrays.fill(fields, 0, count, null);
        Arrays.fill(previews, 0, count, null);
    }
}
