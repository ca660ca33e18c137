package dev.hiringkit.internal.db;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.postgresql.copy.CopyIn;

/**
 * Encodes rows in PostgreSQL's binary COPY format and sends them in large writes, so that the JVM
 * parses the next records while the server stores the previous ones. Binary, because the server then
 * parses no text: on a load the server is the bottleneck, and reading timestamps from text costs it
 * more than storing them. Internal to HiringKit, not part of its API.
 */
public final class CopyBuffer {

    /**
     * Where full buffers go: sent, or handed to another thread; answers the buffer to go on filling
     * (the same one once its bytes are sent, or a free one).
     */
    @FunctionalInterface
    public interface Sink {
        byte[] accept(byte[] bytes, int length) throws SQLException;
    }

    /** How many bytes gather before they are sent. */
    private static final int FLUSH_AT = 1 << 18;
    /** The first bytes of the binary COPY format (then 32-bit flags and a header-extension length). */
    static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private byte[] bytes;
    private int size;
    private Sink target;

    public CopyBuffer() {
        this(newBuffer());
    }

    /** Starts filling {@code first}, a buffer of at least {@link #newBuffer()}'s size. */
    public CopyBuffer(byte[] first) {
        this.bytes = first;
    }

    /** A buffer of the size this fills before it sends. */
    public static byte[] newBuffer() {
        return new byte[FLUSH_AT + 4096];
    }

    /** The statement to open with {@link org.postgresql.copy.CopyManager#copyIn(String)}. */
    public static String copySql(String table, String columns) {
        return "COPY " + table + " (" + columns + ") FROM STDIN (FORMAT binary)";
    }

    public void start(CopyIn copy) {
        start((bytes, length) -> {
            copy.writeToCopy(bytes, 0, length);
            return bytes;
        });
    }

    /** Starts a COPY stream whose full buffers go to {@code sink}. */
    public void start(Sink sink) {
        this.target = sink;
        this.size = 0;
        put(SIGNATURE, 0, SIGNATURE.length);
        ensure(8);
        putInt(0); // no flags
        putInt(0); // no header extension
    }

    public CopyBuffer row(int fields) {
        ensure(2);
        putShort(fields);
        return this;
    }

    public CopyBuffer int4(int value) {
        ensure(8);
        putInt(4);
        putInt(value);
        return this;
    }

    public CopyBuffer int8(long value) {
        ensure(12);
        putInt(8);
        putLong(value);
        return this;
    }

    public CopyBuffer timestamptz(Instant value) {
        return timestamptzMicros(Math.addExact(Math.multiplyExact(value.getEpochSecond(), 1_000_000L),
                value.getNano() / 1000));
    }

    /** A timestamptz given in microseconds from the Unix epoch. */
    public CopyBuffer timestamptzMicros(long epochMicros) {
        return int8(epochMicros - POSTGRES_EPOCH_MICROS);
    }

    public CopyBuffer uuid(UUID value) {
        ensure(20);
        putInt(16);
        putLong(value.getMostSignificantBits());
        putLong(value.getLeastSignificantBits());
        return this;
    }

    /** Text as UTF-8; the ASCII case, by far the most common, without an intermediate array. */
    public CopyBuffer text(String value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            if (value.charAt(i) >= 0x80) {
                byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                ensure(4 + utf8.length);
                putInt(utf8.length);
                put(utf8, 0, utf8.length);
                return this;
            }
        }
        ensure(4 + n);
        putInt(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) value.charAt(i);
        }
        return this;
    }

    /** SQL NULL, for a column of any type. */
    public CopyBuffer nullValue() {
        ensure(4);
        putInt(-1);
        return this;
    }

    /** Text, or NULL when {@code value} is null. */
    public CopyBuffer textOrNull(String value) {
        return value == null ? nullValue() : text(value);
    }

    /** Text already encoded as UTF-8. */
    public CopyBuffer text(byte[] utf8, int offset, int length) {
        ensure(4 + length);
        putInt(length);
        put(utf8, offset, length);
        return this;
    }

    /** jsonb's binary form: a version byte, then the JSON text. */
    public CopyBuffer jsonb(String json) {
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        ensure(5 + utf8.length);
        putInt(utf8.length + 1);
        bytes[size++] = 1;
        put(utf8, 0, utf8.length);
        return this;
    }

    /** Sends what has gathered once it is large; call after each row. */
    public void endRow() throws SQLException {
        if (size >= FLUSH_AT) {
            flush();
        }
    }

    /** Writes the trailer and sends everything; the caller then ends the COPY. */
    public void finish() throws SQLException {
        ensure(2);
        putShort(-1);
        flush();
    }

    private void flush() throws SQLException {
        if (size > 0) {
            bytes = target.accept(bytes, size);
            size = 0;
        }
    }

    private void put(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    private void putShort(int v) {
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
    }

    private void putInt(int v) {
        bytes[size++] = (byte) (v >>> 24);
        bytes[size++] = (byte) (v >>> 16);
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
