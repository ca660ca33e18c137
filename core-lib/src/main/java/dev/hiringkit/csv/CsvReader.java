package dev.hiringkit.csv;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Streams RFC 4180 records from UTF-8 bytes, one record at a time, in constant memory.
 *
 * <p>Written for loads rather than taken from commons-csv because a load needs what a general parser
 * does not give: the raw text of each record for the rejection log, the physical line it starts on,
 * the exact byte offset and checksum of what was consumed (a crashed load resumes from them), and
 * recovery from an unclosed quote, which a general parser reports only at the end of the file after
 * swallowing every following record. Here a broken record costs only its own first line.
 *
 * <p>Accepted: CRLF or LF line ends, no final line end, a UTF-8 byte order mark, quoted fields with
 * doubled quotes, commas and line breaks inside. Empty lines are skipped and counted.
 */
public final class CsvReader implements Closeable {

    /** What is wrong with a record's bytes, before any data rule is applied. */
    public enum Problem {
        /** A quote opened and never closed, or text follows a closing quote. */
        BAD_QUOTING,
        /** Bytes that are not UTF-8, or a NUL character. */
        BAD_ENCODING,
        /** The record is longer than the reader's limit. */
        TOO_LONG
    }

    /** Records longer than this are refused: no hiring record comes near it. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    private static final int NEED_MORE = -1;
    private static final int UNCLOSED = -2;
    private static final int RAW_PREVIEW = 1024;

    private final InputStream in;
    private final int maxRecordBytes;
    private final CRC32C crc = new CRC32C();

    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean started;

    private long bytesRead;
    private long nextLine = 1;
    private long blankLines;
    private long records;

    // The current record.
    private int start;
    private int contentEnd;
    private long line;
    private Problem problem;
    private List<String> fields = List.of();
    private String truncatedRaw;
    private boolean highBytes;

    // Field boundaries found by the scan: start, end, quoted flag per field.
    private int[] bounds = new int[3 * 8];
    private int fieldCount;
    private byte[] scratch = new byte[256];

    public CsvReader(InputStream in) {
        this(in, DEFAULT_MAX_RECORD_BYTES);
    }

    public CsvReader(InputStream in, int maxRecordBytes) {
        this.in = in;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Moves to the next record; false at the end of the input. */
    public boolean next() throws IOException {
        if (!started) {
            started = true;
            skipByteOrderMark();
        }
        while (true) {
            problem = null;
            truncatedRaw = null;
            int end = scan();
            if (end == NEED_MORE) {
                if (!refill()) {
                    tooLong();
                    return true;
                }
                continue;
            }
            if (end == UNCLOSED) {
                recoverFirstLine();
                return true;
            }
            if (start == limit && eof) {
                return false;
            }
            int after = end < limit ? end + 1 : end;
            contentEnd = end > start && buf[end - 1] == '\r' ? end - 1 : end;
            if (contentEnd == start) {
                blankLines++;
                consume(after);
                continue;
            }
            if (problem == Problem.BAD_QUOTING && indexOf((byte) '\n', start, end) >= 0) {
                // A quote that spans lines and then breaks the record is most likely one left open:
                // keep the damage to its first line.
                recoverFirstLine();
                return true;
            }
            line = nextLine;
            if (contentEnd - start > maxRecordBytes) {
                problem = Problem.TOO_LONG;
                truncatedRaw = preview(contentEnd);
                fields = List.of();
                consume(after);
                records++;
                return true;
            }
            fields = decodeFields();
            consume(after);
            records++;
            return true;
        }
    }

    /** The fields of the current record, decoded. */
    public List<String> fields() {
        return fields;
    }

    /** The current record's text as it stands in the input, without its line end. */
    public String raw() {
        if (truncatedRaw != null) {
            return truncatedRaw;
        }
        return new String(buf, start, contentEnd - start, StandardCharsets.UTF_8);
    }

    /** The physical line (1-based) on which the current record starts. */
    public long line() {
        return line;
    }

    /** What is wrong with the current record's bytes, or null. */
    public Problem problem() {
        return problem;
    }

    /** Records returned so far, the current one included. */
    public long records() {
        return records;
    }

    /** Bytes consumed up to the end of the current record, its line end included. */
    public long bytesRead() {
        return bytesRead;
    }

    /** CRC-32C of the bytes counted by {@link #bytesRead()}. */
    public long checksum() {
        return crc.getValue();
    }

    /** Empty lines skipped so far. */
    public long blankLines() {
        return blankLines;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    // ---- scanning ----------------------------------------------------------------------------

    /** Finds the end of the record starting at pos: the index of its '\n' or of the input's end. */
    private int scan() {
        start = pos;
        fieldCount = 0;
        highBytes = false;
        int fieldStart = pos;
        boolean quoted = false;
        boolean inQuotes = false;
        int i = pos;
        byte[] b = buf;
        while (true) {
            if (i >= limit) {
                if (!eof) {
                    return NEED_MORE;
                }
                if (inQuotes) {
                    return UNCLOSED;
                }
                addField(fieldStart, i, quoted);
                return i;
            }
            byte c = b[i];
            if (c <= 0) {
                highBytes = true;
            }
            if (inQuotes) {
                if (c == '"') {
                    if (i + 1 >= limit && !eof) {
                        return NEED_MORE;
                    }
                    if (i + 1 < limit && b[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    inQuotes = false;
                    int next = i + 1;
                    if (next < limit && b[next] != ',' && b[next] != '\n' && b[next] != '\r') {
                        problem = Problem.BAD_QUOTING;
                    }
                }
                i++;
                continue;
            }
            if (c == ',') {
                addField(fieldStart, i, quoted);
                fieldStart = i + 1;
                quoted = false;
            } else if (c == '\n') {
                addField(fieldStart, i > fieldStart && b[i - 1] == '\r' ? i - 1 : i, quoted);
                return i;
            } else if (c == '"' && i == fieldStart) {
                quoted = true;
                inQuotes = true;
            }
            i++;
        }
    }

    private void addField(int from, int to, boolean quoted) {
        if (3 * fieldCount + 3 > bounds.length) {
            bounds = Arrays.copyOf(bounds, bounds.length * 2);
        }
        bounds[3 * fieldCount] = from;
        bounds[3 * fieldCount + 1] = to;
        bounds[3 * fieldCount + 2] = quoted ? 1 : 0;
        fieldCount++;
    }

    private List<String> decodeFields() {
        if (highBytes && problem == null && !validUtf8(start, contentEnd)) {
            problem = Problem.BAD_ENCODING;
        }
        String[] out = new String[fieldCount];
        for (int f = 0; f < fieldCount; f++) {
            int from = bounds[3 * f];
            int to = bounds[3 * f + 1];
            out[f] = bounds[3 * f + 2] == 1 ? unquote(from, to) : new String(buf, from, to - from, StandardCharsets.UTF_8);
        }
        return Arrays.asList(out);
    }

    /** Decodes a quoted field: drops the enclosing quotes and turns each doubled quote into one. */
    private String unquote(int from, int to) {
        if (scratch.length < to - from) {
            scratch = new byte[Math.max(to - from, scratch.length * 2)];
        }
        int n = 0;
        for (int j = from + 1; j < to; j++) {
            byte c = buf[j];
            if (c == '"') {
                if (j + 1 < to && buf[j + 1] == '"') {
                    j++;
                } else {
                    continue;
                }
            }
            scratch[n++] = c;
        }
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    private boolean validUtf8(int from, int to) {
        for (int j = from; j < to; j++) {
            if (buf[j] == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(buf, from, to - from));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * An unclosed quote: the record is taken to be its first physical line only, which is refused,
     * and reading resumes on the next line so that no following record is lost.
     */
    private void recoverFirstLine() {
        int newline = indexOf((byte) '\n', start, limit);
        int end = newline < 0 ? limit : newline;
        contentEnd = end > start && buf[end - 1] == '\r' ? end - 1 : end;
        line = nextLine;
        problem = Problem.BAD_QUOTING;
        fields = naiveFields();
        consume(newline < 0 ? limit : newline + 1);
        records++;
    }

    /** A record over the limit: refused with a preview of its start; reading resumes after it. */
    private void tooLong() throws IOException {
        line = nextLine;
        boolean quoteOpen = buf[start] == '"' || indexOf((byte) '"', start, limit) >= 0;
        int newline = indexOf((byte) '\n', start, limit);
        if (quoteOpen && newline >= 0) {
            recoverFirstLine();
            return;
        }
        problem = Problem.TOO_LONG;
        truncatedRaw = preview(limit);
        fields = List.of();
        records++;
        // Discard up to and including the next line end.
        while (true) {
            int nl = indexOf((byte) '\n', pos, limit);
            if (nl >= 0) {
                consume(nl + 1);
                return;
            }
            consume(limit);
            if (!refill()) {
                return;
            }
            if (pos == limit && eof) {
                return;
            }
        }
    }

    /** The start of an over-long record, for the rejection log. */
    private String preview(int end) {
        return new String(buf, start, Math.min(RAW_PREVIEW, end - start), StandardCharsets.UTF_8) + "...";
    }

    private List<String> naiveFields() {
        String text = new String(buf, start, contentEnd - start, StandardCharsets.UTF_8);
        return Arrays.asList(text.split(",", -1));
    }

    private int indexOf(byte wanted, int from, int to) {
        for (int j = from; j < to; j++) {
            if (buf[j] == wanted) {
                return j;
            }
        }
        return -1;
    }

    /** Marks buf[pos, to) as consumed: counts its bytes, line ends and checksum. */
    private void consume(int to) {
        for (int j = pos; j < to; j++) {
            if (buf[j] == '\n') {
                nextLine++;
            }
        }
        crc.update(buf, pos, to - pos);
        bytesRead += to - pos;
        pos = to;
    }

    /**
     * Makes room and reads more input, keeping the unconsumed bytes. False when the unconsumed part
     * already fills the largest buffer allowed.
     */
    private boolean refill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            if (buf.length >= maxRecordBytes) {
                start = pos;
                return false;
            }
            buf = Arrays.copyOf(buf, Math.min(buf.length * 2, maxRecordBytes));
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
        return true;
    }

    private void skipByteOrderMark() throws IOException {
        while (limit < 3 && !eof) {
            refill();
        }
        if (limit >= 3 && (buf[0] & 0xFF) == 0xEF && (buf[1] & 0xFF) == 0xBB && (buf[2] & 0xFF) == 0xBF) {
            consume(3);
        }
    }
}
