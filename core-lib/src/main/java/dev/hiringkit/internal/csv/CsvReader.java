package dev.hiringkit.internal.csv;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * doubled quotes, commas and line breaks inside. Empty lines are skipped and counted. A lone CR is a
 * line end only as the input's last byte; anywhere else outside quotes it breaks its record, which
 * would otherwise silently join two rows (old Mac line ends) into one.
 *
 * <p>A record longer than the limit (1 MiB by default) is refused once, as {@link Problem#TOO_LONG},
 * and reading resumes after it: its bytes are walked through with the same quoting rules, without
 * being kept, so a quoted field of any size is one record and no line inside it is read as one.
 *
 * <p>Which record a stray quote breaks is decided the same way at any length. A quote is taken as
 * a field's quote only if it closes and is followed by a comma or a line end; one that never closes,
 * or that is followed by other text, is a stray, and the record is cut to its first physical line
 * ({@link Problem#BAD_QUOTING}, or {@link Problem#TOO_LONG} if that line alone is over the limit).
 * Within the limit the record is still in memory. Past it, whether the quote closes is known only
 * at its end, possibly the end of a large file (a stray quote with no other quote after it), so the
 * bytes after the first line are set aside in a temporary file while the record is walked and read
 * again if it turns out broken: nothing after a stray quote is lost, at the cost of writing the
 * rest of the record to disk once. Memory stays constant either way; the raw text kept for such a
 * record is a preview of its first {@value #RAW_PREVIEW} bytes.
 */
public final class CsvReader implements Closeable {

    /** What is wrong with a record's bytes, before any data rule is applied. */
    public enum Problem {
        /**
         * A quote opened and never closed, text after a closing quote, or a CR outside quotes that is
         * neither part of a CRLF nor the input's last byte (RFC 4180: a line break in a field is quoted).
         */
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
    /** Bytes of a refused over-long record kept for the rejection log. */
    private static final int RAW_PREVIEW = 1024;
    /** The first buffer; it grows to the limit (plus a CRLF) only for a record that needs it. */
    private static final int FIRST_BUFFER = 1 << 16;

    private InputStream in;
    private final int maxRecordBytes;
    /** The largest buffer: a record of exactly maxRecordBytes and its CRLF. */
    private final int maxBuffer;
    private final CRC32C crc = new CRC32C();
    /** Where spill files go; null for the system's temporary directory. */
    private final Path spillDirectory;
    /** Bytes of an over-long record set aside until its end is known; null when none. */
    private Spill spill;

    private byte[] buf;
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

    /** A reader refusing records longer than {@code maxRecordBytes} (line end excluded). */
    public CsvReader(InputStream in, int maxRecordBytes) {
        this(in, maxRecordBytes, null);
    }

    /** As above, with spill files (see the class comment) in {@code spillDirectory}. */
    CsvReader(InputStream in, int maxRecordBytes, Path spillDirectory) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.in = in;
        this.maxRecordBytes = maxRecordBytes;
        this.spillDirectory = spillDirectory;
        this.maxBuffer = (int) Math.min(Integer.MAX_VALUE - 8, maxRecordBytes + 2L);
        // At least a byte order mark and a little more, so that the first fill can hold it.
        this.buf = new byte[Math.max(16, Math.min(FIRST_BUFFER, maxBuffer))];
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
                    oversized();
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
        try {
            in.close();
        } finally {
            if (spill != null) {
                spill.delete();
                spill = null;
            }
        }
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
        int end = limit;
        while (true) {
            if (!inQuotes) {
                // The common case, an unquoted field of plain text: skip its bytes in a tight loop.
                while (i < end) {
                    byte c = b[i];
                    if (c == ',' || c == '\n' || c == '"' || c == '\r' || c <= 0) {
                        break;
                    }
                    i++;
                }
            }
            if (i >= end) {
                if (!eof) {
                    return NEED_MORE;
                }
                if (inQuotes) {
                    return UNCLOSED;
                }
                // A CR as the input's last byte is what is left of a CRLF: a line end, as in the raw text.
                addField(fieldStart, i > fieldStart && b[i - 1] == '\r' ? i - 1 : i, quoted);
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
            } else if (c == '\r') {
                if (i + 1 >= limit && !eof) {
                    return NEED_MORE;
                }
                if (i + 1 < limit && b[i + 1] != '\n') {
                    // Neither CRLF nor the input's last byte: a line end of neither accepted kind, which
                    // would join two rows into one record, or a line break outside quotes.
                    problem = Problem.BAD_QUOTING;
                }
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
        if (contentEnd - start > maxRecordBytes) {
            problem = Problem.TOO_LONG;
            truncatedRaw = preview(contentEnd);
            fields = List.of();
        } else {
            problem = Problem.BAD_QUOTING;
            fields = naiveFields();
        }
        consume(newline < 0 ? limit : newline + 1);
        records++;
    }

    /**
     * A record that does not fit the largest buffer, which holds its first bytes: it is walked to its
     * end with the quoting rules of {@link #scan()} and refused as TOO_LONG, or, if a quote in it turns
     * out to be a stray, cut to its first line (see the class comment). The first line is consumed as
     * the walk passes it, since it is consumed either way; what follows it is set aside in a spill file
     * until the walk decides.
     */
    private void oversized() throws IOException {
        line = nextLine;
        fields = List.of();
        byte[] head = Arrays.copyOfRange(buf, start, start + Math.min(RAW_PREVIEW, limit - start));
        int firstNewline = indexOf((byte) '\n', start, limit);
        QuoteWalk walk = new QuoteWalk();
        boolean bufferLetGo = false;
        boolean firstLineConsumed = false;
        long firstLineBytes = 0;
        boolean lastByteWasCr = false;
        while (true) {
            int end = walk.run(buf, pos, limit);
            if (end == QuoteWalk.MORE && eof) {
                end = walk.endsCleanly() ? limit : QuoteWalk.BROKEN;
            }
            if (end >= 0) {
                // The quoting is sound to the record's end: one record, whatever its length.
                refuseTooLong(head);
                records++;
                if (spill != null) {
                    countSpill();
                }
                consume(end < limit ? end + 1 : end);
                return;
            }
            if (end == QuoteWalk.BROKEN) {
                if (!bufferLetGo && firstNewline >= 0) {
                    // The first line is still in the buffer: the same recovery as within the limit.
                    recoverFirstLine();
                    return;
                }
                records++;
                if (!firstLineConsumed) {
                    // The first line alone is longer than the buffer.
                    refuseTooLong(head);
                    skipPastLineEnd();
                } else {
                    if (firstLineBytes > maxRecordBytes) {
                        refuseTooLong(head);
                    } else if (firstLineBytes <= head.length) {
                        problem = Problem.BAD_QUOTING;
                        truncatedRaw = new String(head, 0, (int) firstLineBytes, StandardCharsets.UTF_8);
                        fields = Arrays.asList(truncatedRaw.split(",", -1));
                    } else {
                        problem = Problem.BAD_QUOTING;
                        truncatedRaw = preview(head);
                    }
                    replaySpill();
                }
                return;
            }
            // The whole buffer is walked: let it go, consuming the first line and setting aside the rest.
            bufferLetGo = true;
            if (!firstLineConsumed) {
                int newline = indexOf((byte) '\n', pos, limit);
                if (newline < 0) {
                    firstLineBytes += limit - pos;
                    lastByteWasCr = buf[limit - 1] == '\r';
                    consume(limit);
                } else {
                    boolean cr = newline > pos ? buf[newline - 1] == '\r' : lastByteWasCr;
                    firstLineBytes += newline - pos - (cr ? 1 : 0);
                    consume(newline + 1);
                    firstLineConsumed = true;
                    spill = Spill.create(spillDirectory);
                }
            }
            if (firstLineConsumed && pos < limit) {
                spill.write(buf, pos, limit - pos);
            }
            pos = limit;
            refill();
        }
    }

    private void refuseTooLong(byte[] head) {
        problem = Problem.TOO_LONG;
        truncatedRaw = preview(head);
        fields = List.of();
    }

    /** Consumes up to and including the next line end, reading on as needed (the end of a too-long line). */
    private void skipPastLineEnd() throws IOException {
        while (true) {
            int newline = indexOf((byte) '\n', pos, limit);
            if (newline >= 0) {
                consume(newline + 1);
                return;
            }
            consume(limit);
            if (eof) {
                return;
            }
            refill();
        }
    }

    /** The spilled bytes were part of the record after all: counted as consumed, then deleted. */
    private void countSpill() throws IOException {
        try (InputStream spilled = spill.readBack()) {
            byte[] chunk = new byte[1 << 16];
            int n;
            while ((n = spilled.read(chunk)) > 0) {
                for (int j = 0; j < n; j++) {
                    if (chunk[j] == '\n') {
                        nextLine++;
                    }
                }
                crc.update(chunk, 0, n);
                bytesRead += n;
            }
        }
        spill.delete();
        spill = null;
    }

    /**
     * The record was cut to its first line, already consumed: what was set aside after it, then the
     * unread rest of the buffer, are read again before the rest of the input.
     */
    private void replaySpill() throws IOException {
        spill.write(buf, pos, limit - pos);
        in = new SequenceInputStream(spill.replay(), in);
        spill = null;
        pos = 0;
        limit = 0;
        eof = false;
    }

    /** The start of an over-long record, for the rejection log. */
    private static String preview(byte[] head) {
        return new String(head, StandardCharsets.UTF_8) + "...";
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
     * Makes room and fills the buffer from the input, keeping the unconsumed bytes. False when the
     * unconsumed part already fills the largest buffer allowed.
     *
     * <p>It reads until the buffer is full or the input ends, not just once: {@link #scan()} starts a
     * record over after each refill, so a stream that returns a few bytes per read (a slow network)
     * would make a record of n bytes cost about n * n / (bytes per read) steps; 10^9 for a 64 KiB record
     * read four bytes at a time, as the fuzz test does.
     */
    private boolean refill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            if (buf.length >= maxBuffer) {
                start = pos;
                return false;
            }
            buf = Arrays.copyOf(buf, (int) Math.min(buf.length * 2L, maxBuffer));
        }
        while (limit < buf.length) {
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
                break;
            }
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

    /**
     * The quoting rules of {@link #scan()}, one byte at a time with the state kept between calls, for a
     * record walked through in pieces. Only what decides where the record ends is tracked.
     */
    private static final class QuoteWalk {
        static final int MORE = -1;
        static final int BROKEN = -2;

        private boolean fieldStart = true;
        private boolean inQuotes;
        private boolean quoteSeen;
        private boolean crSeen;

        /** The index of the '\n' ending the record, BROKEN for a stray quote, MORE when b[from, to) is used up. */
        int run(byte[] b, int from, int to) {
            for (int i = from; i < to; i++) {
                byte c = b[i];
                if (crSeen) {
                    crSeen = false;
                    if (c != '\n') {
                        return BROKEN;
                    }
                }
                if (quoteSeen) {
                    quoteSeen = false;
                    if (c == '"') {
                        continue;
                    }
                    inQuotes = false;
                    if (c != ',' && c != '\n' && c != '\r') {
                        return BROKEN;
                    }
                } else if (inQuotes) {
                    quoteSeen = c == '"';
                    continue;
                }
                if (c == ',') {
                    fieldStart = true;
                } else if (c == '\n') {
                    return i;
                } else {
                    crSeen = c == '\r';
                    inQuotes = c == '"' && fieldStart;
                    fieldStart = false;
                }
            }
            return MORE;
        }

        /** At the end of the input: whether every quote opened was closed (the last byte may close one). */
        boolean endsCleanly() {
            return !inQuotes || quoteSeen;
        }
    }

    /** A temporary file holding the bytes of an over-long record that may have to be read again. */
    private static final class Spill {
        private final Path file;
        private final OutputStream out;

        private Spill(Path file) throws IOException {
            this.file = file;
            this.out = new BufferedOutputStream(Files.newOutputStream(file));
        }

        static Spill create(Path directory) throws IOException {
            return new Spill(directory == null ? Files.createTempFile("hiring-csv-", ".spill")
                    : Files.createTempFile(directory, "hiring-csv-", ".spill"));
        }

        void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        InputStream readBack() throws IOException {
            out.close();
            return new BufferedInputStream(Files.newInputStream(file));
        }

        /**
         * The bytes to read again. The file goes when the stream is closed, by a SequenceInputStream at
         * its end or by close(); on Unix at once, the open stream still reading it.
         */
        InputStream replay() throws IOException {
            out.close();
            return Files.newInputStream(file, StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE);
        }

        void delete() throws IOException {
            try {
                out.close();
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
