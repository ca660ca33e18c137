package dev.hiringkit.repository;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * Encodes rows in PostgreSQL's COPY text format and sends them in large writes, so that the JVM
 * parses the next records while the server stores the previous ones.
 */
final class CopyBuffer {

    private static final int FLUSH_AT = 1 << 18;

    private byte[] bytes = new byte[FLUSH_AT + 4096];
    private int size;
    private CopyIn target;

    void start(CopyIn copy) {
        this.target = copy;
        this.size = 0;
    }

    CopyBuffer integer(long value) {
        return ascii(Long.toString(value));
    }

    CopyBuffer instant(Instant value) {
        return ascii(value.toString());
    }

    /** Appends text, escaping the characters COPY's text format gives a meaning to. */
    CopyBuffer text(String value) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                return textSlow(value);
            }
        }
        ensure(value.length() * 2);
        for (int i = 0, n = value.length(); i < n; i++) {
            escape((byte) value.charAt(i));
        }
        return this;
    }

    private CopyBuffer textSlow(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        ensure(utf8.length * 2);
        for (byte b : utf8) {
            escape(b);
        }
        return this;
    }

    private void escape(byte b) {
        switch (b) {
            case '\\' -> put2('\\', '\\');
            case '\n' -> put2('\\', 'n');
            case '\r' -> put2('\\', 'r');
            case '\t' -> put2('\\', 't');
            default -> bytes[size++] = b;
        }
    }

    private void put2(char a, char b) {
        bytes[size++] = (byte) a;
        bytes[size++] = (byte) b;
    }

    CopyBuffer tab() {
        ensure(1);
        bytes[size++] = '\t';
        return this;
    }

    /** Ends a row, and sends what has gathered once it is large. */
    void endRow() throws SQLException {
        ensure(1);
        bytes[size++] = '\n';
        if (size >= FLUSH_AT) {
            flush();
        }
    }

    void flush() throws SQLException {
        if (size > 0) {
            target.writeToCopy(bytes, 0, size);
            size = 0;
        }
    }

    private CopyBuffer ascii(String s) {
        ensure(s.length());
        for (int i = 0, n = s.length(); i < n; i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
        return this;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
