package dev.hiringkit.internal.db;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads rows of PostgreSQL's binary COPY format ({@code COPY ... TO STDOUT (FORMAT binary)}) one
 * field at a time, with no object per row: the backup encodes each field to Avro as it is read. The
 * reading side of {@link CopyBuffer}. Internal to HiringKit, not part of its API.
 */
public final class BinaryCopyReader {

    private final DataInputStream in;
    private byte[] text = new byte[256];
    private int textLength;

    public BinaryCopyReader(InputStream copyOut) throws IOException {
        this.in = new DataInputStream(new BufferedInputStream(copyOut, 1 << 16));
        byte[] signature = new byte[CopyBuffer.SIGNATURE.length];
        in.readFully(signature);
        if (!Arrays.equals(signature, CopyBuffer.SIGNATURE)) {
            throw new IOException("not PostgreSQL's binary COPY format");
        }
        in.readInt(); // flags: none is defined that changes the tuples
        in.skipNBytes(in.readInt()); // header extension
    }

    /** Moves to the next row: true if there is one, which has {@code fields} fields. */
    public boolean next(int fields) throws IOException {
        short count = in.readShort();
        if (count == -1) {
            return false;
        }
        if (count != fields) {
            throw new IOException("expected rows of " + fields + " fields, read " + count);
        }
        return true;
    }

    public int int4() throws IOException {
        length(4);
        return in.readInt();
    }

    /**
     * A timestamptz, in microseconds from the Unix epoch. PostgreSQL stores 29 years more than that long
     * holds (294247 to 294276 AD, which the data rules refuse); such a value, written by other means, is
     * an error here rather than a wrapped-around date in a backup.
     */
    public long timestampMicros() throws IOException {
        length(8);
        long micros = in.readLong();
        if (micros > Long.MAX_VALUE - CopyBuffer.POSTGRES_EPOCH_MICROS) {
            throw new IOException("a timestamptz after 294246 AD, which a backup cannot hold");
        }
        return micros + CopyBuffer.POSTGRES_EPOCH_MICROS;
    }

    /** Reads a text field as UTF-8 into {@link #textBytes()}, {@link #textLength()} bytes long. */
    public void text() throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("unexpected NULL");
        }
        if (length > text.length) {
            text = new byte[Math.max(length, text.length * 2)];
        }
        in.readFully(text, 0, length);
        textLength = length;
    }

    public byte[] textBytes() {
        return text;
    }

    public int textLength() {
        return textLength;
    }

    private void length(int expected) throws IOException {
        int length = in.readInt();
        if (length != expected) {
            throw length < 0 ? new IOException("unexpected NULL")
                    : new IOException("expected a field of " + expected + " bytes, read " + length);
        }
    }

    /** Checks the stream ends after the trailer. */
    public void end() throws IOException {
        if (in.read() != -1) {
            throw new IOException("data after the COPY trailer");
        }
    }
}
