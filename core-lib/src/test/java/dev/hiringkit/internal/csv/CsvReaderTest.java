package dev.hiringkit.internal.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsvReaderTest {

    /** One record as the reader returns it. */
    private record Rec(long line, List<String> fields, String raw, CsvReader.Problem problem) {
    }

    private static List<Rec> read(byte[] bytes, boolean oneBytePerRead, int maxRecordBytes) throws IOException {
        InputStream in = new ByteArrayInputStream(bytes);
        if (oneBytePerRead) {
            InputStream whole = in;
            in = new InputStream() {
                @Override
                public int read() throws IOException {
                    return whole.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return whole.read(b, off, Math.min(1, len));
                }
            };
        }
        List<Rec> out = new ArrayList<>();
        try (CsvReader reader = new CsvReader(in, maxRecordBytes)) {
            while (reader.next()) {
                out.add(new Rec(reader.line(), reader.fields(), reader.raw(), reader.problem()));
                // A crashed load resumes from these two: after every record they must describe exactly
                // the bytes read so far.
                CRC32C prefix = new CRC32C();
                prefix.update(bytes, 0, (int) reader.bytesRead());
                assertEquals(prefix.getValue(), reader.checksum(), "checksum after record " + out.size());
            }
            assertEquals(bytes.length, reader.bytesRead(), "every byte is consumed");
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertEquals(crc.getValue(), reader.checksum());
        }
        return out;
    }

    private static List<Rec> read(String text) throws IOException {
        List<Rec> whole = read(text.getBytes(StandardCharsets.UTF_8), false, CsvReader.DEFAULT_MAX_RECORD_BYTES);
        // Buffer boundaries anywhere must not change anything.
        assertEquals(whole, read(text.getBytes(StandardCharsets.UTF_8), true, CsvReader.DEFAULT_MAX_RECORD_BYTES));
        return whole;
    }

    @Test
    void lineEndsAndTheLastLine() throws IOException {
        assertEquals(List.of(new Rec(1, List.of("1", "a"), "1,a", null), new Rec(2, List.of("2", "b"), "2,b", null)),
                read("1,a\r\n2,b"));
        assertEquals(read("1,a\r\n2,b"), read("1,a\n2,b\n"));
        assertEquals(List.of(), read(""));
        assertEquals(List.of(new Rec(1, List.of(""), "\"\"", null)), read("\"\""));
    }

    @Test
    void aCrAsTheLastByteIsALineEnd() throws IOException {
        // Found by CsvReaderFuzzTest: the CR stayed in the last field ("0\r"), while the raw text dropped it.
        assertEquals(List.of(new Rec(1, List.of("0"), "0", null)), read("0\r"));
        assertEquals(List.of(new Rec(1, List.of("1", "a"), "1,a", null), new Rec(2, List.of("2", "b"), "2,\"b\"", null)),
                read("1,a\r\n2,\"b\"\r"));
        assertEquals(List.of(new Rec(1, List.of("1", ""), "1,", null)), read("1,\r"));
    }

    @Test
    void aBareCrOutsideQuotesBreaksItsRecord() throws IOException {
        // Found by CsvReaderFuzzTest: rows joined by a CR-only line end were read as one record, and
        // "1,Sales\rx" as a valid department named "Sales\rx".
        List<Rec> joined = read("1,Ana\r2,Bo\n3,\"Cy\"\r4,Di\n5,Sales\rx\n6,ok\n");
        assertEquals(List.of(1L, 2L, 3L, 4L), joined.stream().map(Rec::line).toList());
        assertEquals(CsvReader.Problem.BAD_QUOTING, joined.get(0).problem());
        assertEquals(CsvReader.Problem.BAD_QUOTING, joined.get(1).problem());
        assertEquals(CsvReader.Problem.BAD_QUOTING, joined.get(2).problem());
        assertEquals(new Rec(4, List.of("6", "ok"), "6,ok", null), joined.get(3));
        // Inside quotes a CR is text, and CRLF is a line end.
        assertEquals(List.of(new Rec(1, List.of("1", "Line\rBreak"), "1,\"Line\rBreak\"", null),
                new Rec(2, List.of("2", "b"), "2,b", null)), read("1,\"Line\rBreak\"\r\n2,b"));
        // Over the limit, the same: the record is its first line, and the next line is read.
        List<Rec> longJoined = readBothWays("1,\"quoted\nfield\"," + "x".repeat(100) + "\r2,Bo\n3,ok\n", 64);
        assertEquals(CsvReader.Problem.BAD_QUOTING, longJoined.get(0).problem());
        assertEquals(3, longJoined.size());
        assertEquals(new Rec(3, List.of("3", "ok"), "3,ok", null), longJoined.get(2));
    }

    @Test
    void byteOrderMarkAndBlankLines() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '1', ',', 'a', '\n', '\n', '\r', '\n', '2', ',', 'b'};
        List<Rec> records = read(bom, false, 1024);
        assertEquals(List.of(new Rec(1, List.of("1", "a"), "1,a", null), new Rec(4, List.of("2", "b"), "2,b", null)),
                records);
        assertEquals(records, read(bom, true, 1024));
    }

    @Test
    void quotedFieldsWithCommasQuotesAndLineBreaks() throws IOException {
        List<Rec> records = read("1,\"Smith, Ana\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,last\n");
        assertEquals(List.of("1", "Smith, Ana"), records.get(0).fields());
        assertEquals(List.of("2", "say \"hi\""), records.get(1).fields());
        assertEquals(List.of("3", "two\nlines"), records.get(2).fields());
        assertEquals("3,\"two\nlines\"", records.get(2).raw());
        assertEquals(List.of(1L, 2L, 3L, 5L), records.stream().map(Rec::line).toList());
    }

    @Test
    void anUnclosedQuoteCostsOnlyItsOwnLine() throws IOException {
        List<Rec> records = read("1,ok\n2,\"broken\n3,fine\n4,\"also fine\"\n");
        assertEquals(4, records.size());
        assertEquals(CsvReader.Problem.BAD_QUOTING, records.get(1).problem());
        assertEquals("2,\"broken", records.get(1).raw());
        assertEquals(new Rec(3, List.of("3", "fine"), "3,fine", null), records.get(2));
        assertEquals(new Rec(4, List.of("4", "also fine"), "4,\"also fine\"", null), records.get(3));
    }

    @Test
    void textAfterAClosingQuote() throws IOException {
        List<Rec> records = read("1,\"a\"b\n2,c\n");
        assertEquals(CsvReader.Problem.BAD_QUOTING, records.get(0).problem());
        assertNull(records.get(1).problem());
    }

    @Test
    void invalidUtf8AndNul() throws IOException {
        byte[] bytes = {'1', ',', (byte) 0xC3, (byte) 0x28, '\n', '2', ',', 'a', 0, '\n', '3', ',', (byte) 0xC3,
            (byte) 0xA9, '\n'};
        List<Rec> records = read(bytes, false, 1024);
        assertEquals(CsvReader.Problem.BAD_ENCODING, records.get(0).problem());
        assertEquals(CsvReader.Problem.BAD_ENCODING, records.get(1).problem());
        assertEquals(new Rec(3, List.of("3", "é"), "3,é", null), records.get(2));
    }

    @Test
    void aRecordOverTheLimitIsRefusedAndReadingGoesOn() throws IOException {
        String longLine = "1," + "x".repeat(5000);
        for (boolean slow : new boolean[] {false, true}) {
            List<Rec> records = read((longLine + "\n2,after\n").getBytes(StandardCharsets.US_ASCII), slow, 1024);
            assertEquals(2, records.size());
            assertEquals(CsvReader.Problem.TOO_LONG, records.get(0).problem());
            assertEquals(new Rec(2, List.of("2", "after"), "2,after", null), records.get(1));
        }
        List<Rec> unclosed = read(("1,\"open\n" + "y".repeat(5000) + "\n").getBytes(StandardCharsets.US_ASCII), false, 1024);
        assertEquals(CsvReader.Problem.BAD_QUOTING, unclosed.get(0).problem());
        assertFalse(unclosed.isEmpty());
    }

    private static List<Rec> readBothWays(String text, int maxRecordBytes) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<Rec> whole = read(bytes, false, maxRecordBytes);
        assertEquals(whole, read(bytes, true, maxRecordBytes), "buffer boundaries must not change anything");
        return whole;
    }

    /** Lines that would each be a valid record, were they not inside a quoted field. */
    private static String rowLikeLines(int from, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            text.append(i).append(",Row ").append(i).append(",2021-01-01T00:00:00Z,1,1\n");
        }
        return text.toString();
    }

    @ParameterizedTest(name = "{0} row-like lines, limit {1}")
    @CsvSource({"20, 256", "2500, 1024"})
    void anOversizedQuotedFieldIsOneRecordAndNothingInsideIsRead(int rows, int limit) throws IOException {
        // The second case is larger than the first buffer (64 KiB) as well as the limit.
        String field = "Start\n" + rowLikeLines(100, rows) + "say \"\"hi\"\"\r\n" + rowLikeLines(10_000, rows) + "end";
        String text = "1,ok\n2,\"" + field + "\",2021-01-01T00:00:00Z,1,1\r\n3,after\n";
        List<Rec> records = readBothWays(text, limit);
        assertEquals(3, records.size(), () -> "lines of the field were read as records: " + records.subList(0, 4));
        assertEquals(new Rec(1, List.of("1", "ok"), "1,ok", null), records.get(0));
        Rec tooLong = records.get(1);
        assertEquals(2, tooLong.line());
        assertEquals(CsvReader.Problem.TOO_LONG, tooLong.problem());
        assertEquals(List.of(), tooLong.fields());
        assertTrue(tooLong.raw().startsWith("2,\"Start\n100,Row 100"), tooLong.raw());
        assertTrue(tooLong.raw().endsWith("..."));
        long linesInField = field.chars().filter(c -> c == '\n').count();
        assertEquals(new Rec(3 + linesInField, List.of("3", "after"), "3,after", null), records.get(2));
    }

    @Test
    void anOversizedQuotedFieldMayEndTheInput() throws IOException {
        String field = rowLikeLines(1, 30);
        for (String text : List.of("0,\"" + field + "\"", "0,\"" + field + "\"\n", "0,\"" + field + "\"\r\n",
                "\"" + field + "\",x", "x,\"" + field + "\",\"\"")) {
            List<Rec> records = readBothWays(text, 100);
            assertEquals(1, records.size(), text);
            assertEquals(CsvReader.Problem.TOO_LONG, records.get(0).problem());
        }
    }

    @Test
    void aStrayQuoteThatNeverClosesCostsOnlyItsLineHoweverLongTheRest() throws IOException {
        // Past the limit the reader cannot know yet whether the quote closes; the rows after it must
        // still all be read once it turns out that it does not.
        String rows = rowLikeLines(2, 50);
        List<Rec> records = readBothWays("1,\"stray,2021-01-01T00:00:00Z,1,1\n" + rows, 128);
        assertEquals(51, records.size());
        assertEquals(new Rec(1, List.of("1", "\"stray", "2021-01-01T00:00:00Z", "1", "1"),
                "1,\"stray,2021-01-01T00:00:00Z,1,1", CsvReader.Problem.BAD_QUOTING), records.get(0));
        for (int i = 1; i <= 50; i++) {
            Rec row = records.get(i);
            assertEquals(new Rec(i + 1, List.of(Integer.toString(i + 1), "Row " + (i + 1), "2021-01-01T00:00:00Z", "1",
                    "1"), null, null), new Rec(row.line(), row.fields(), null, row.problem()));
        }
    }

    @Test
    void aStrayQuoteClosedByALaterFieldPastTheLimitCostsOnlyItsLine() throws IOException {
        // The stray's "field" ends at the next quote, the opening one of a real field, followed by text.
        String text = "1,\"stray\n" + rowLikeLines(2, 30) + "32,\"Smith, Ana\",2021-01-01T00:00:00Z,1,1\n33,last";
        List<Rec> records = readBothWays(text, 100);
        assertEquals(33, records.size());
        assertEquals(CsvReader.Problem.BAD_QUOTING, records.get(0).problem());
        assertEquals("1,\"stray", records.get(0).raw());
        assertEquals(new Rec(32, List.of("32", "Smith, Ana", "2021-01-01T00:00:00Z", "1", "1"),
                "32,\"Smith, Ana\",2021-01-01T00:00:00Z,1,1", null), records.get(31));
        assertEquals(new Rec(33, List.of("33", "last"), "33,last", null), records.get(32));
    }

    @Test
    void textAfterTheClosingQuoteOfAnOversizedFieldMakesItAStray() throws IOException {
        String text = "1,\"a\n" + rowLikeLines(2, 10) + "\"junk,x\n12,after\n";
        List<Rec> records = readBothWays(text, 64);
        assertEquals(CsvReader.Problem.BAD_QUOTING, records.get(0).problem());
        assertEquals("1,\"a", records.get(0).raw());
        assertEquals(List.of("2", "Row 2", "2021-01-01T00:00:00Z", "1", "1"), records.get(1).fields());
        assertEquals(new Rec(13, List.of("12", "after"), "12,after", null), records.get(records.size() - 1));
    }

    @Test
    void aStrayQuoteOnALineOverTheLimitCostsThatLine() throws IOException {
        List<Rec> records = readBothWays("1,\"" + "x".repeat(300) + "\n2,b\n", 64);
        assertEquals(2, records.size());
        assertEquals(CsvReader.Problem.TOO_LONG, records.get(0).problem());
        assertEquals(new Rec(2, List.of("2", "b"), "2,b", null), records.get(1));
    }

    @Test
    void aRecordOfExactlyTheLimitIsAcceptedWithAnyLineEnd() throws IOException {
        for (String end : List.of("\n", "\r\n")) {
            List<Rec> records = readBothWays("12345,7890" + end + "12345,78901" + end + "\"2345\",890", 10);
            assertEquals(new Rec(1, List.of("12345", "7890"), "12345,7890", null), records.get(0));
            assertEquals(CsvReader.Problem.TOO_LONG, records.get(1).problem());
            // The last record, with no line end at all.
            assertEquals(new Rec(3, List.of("2345", "890"), "\"2345\",890", null), records.get(2));
        }
    }

    @Test
    void aHugeQuotedFieldIsWalkedInConstantMemoryAndLeavesNoFileBehind(@TempDir Path spills) throws IOException {
        // 64 MiB, generated as it is read: a reader that kept the record would need that much heap
        // twice over; the walk keeps one buffer of the limit.
        long fieldBytes = 64L << 20;
        byte[] prefix = "1,ok\n2,\"".getBytes(StandardCharsets.US_ASCII);
        byte[] suffix = "\",x\n3,after\n".getBytes(StandardCharsets.US_ASCII);
        byte[] row = "9,Inner,2021-01-01T00:00:00Z,1,1\n".getBytes(StandardCharsets.US_ASCII);
        long total = prefix.length + fieldBytes + suffix.length;
        InputStream generated = new InputStream() {
            long at;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at >= total) {
                    return -1;
                }
                int n = (int) Math.min(len, total - at);
                for (int k = 0; k < n; k++, at++) {
                    b[off + k] = at < prefix.length ? prefix[(int) at]
                            : at < prefix.length + fieldBytes ? row[(int) ((at - prefix.length) % row.length)]
                            : suffix[(int) (at - prefix.length - fieldBytes)];
                }
                return n;
            }
        };
        try (CsvReader reader = new CsvReader(generated, CsvReader.DEFAULT_MAX_RECORD_BYTES, spills)) {
            assertTrue(reader.next());
            assertEquals(List.of("1", "ok"), reader.fields());
            assertTrue(reader.next());
            assertEquals(CsvReader.Problem.TOO_LONG, reader.problem());
            assertEquals(2, reader.line());
            assertTrue(reader.next());
            assertEquals(List.of("3", "after"), reader.fields());
            assertEquals(3 + fieldBytes / row.length, reader.line());
            assertFalse(reader.next());
            assertEquals(total, reader.bytesRead());
        }
        assertEquals(List.of(), files(spills));
    }

    @Test
    void aStrayQuoteReadAgainFromItsSpillLeavesNoFileBehind(@TempDir Path spills) throws IOException {
        byte[] bytes = ("1,\"stray\n" + rowLikeLines(2, 100)).getBytes(StandardCharsets.US_ASCII);
        try (CsvReader reader = new CsvReader(new ByteArrayInputStream(bytes), 128, spills)) {
            assertTrue(reader.next());
            assertEquals(CsvReader.Problem.BAD_QUOTING, reader.problem());
            assertTrue(reader.next());
            assertEquals(List.of("2", "Row 2", "2021-01-01T00:00:00Z", "1", "1"), reader.fields());
        }
        assertEquals(List.of(), files(spills), "closing the reader deletes the spill it was reading");
        try (CsvReader reader = new CsvReader(new ByteArrayInputStream(bytes), 128, spills)) {
            while (reader.next()) {
                assertTrue(reader.line() > 0);
            }
            assertEquals(List.of(), files(spills), "a spill read to its end is deleted");
        }
    }

    @Test
    void aLongRecordFromAStreamOfTinyReadsIsReadInLinearTime() {
        // Found by CsvReaderFuzzTest, whose streams return 1 to 7 bytes per read: each read started the
        // record's scan over, n * n / 4 steps, about 3 * 10^10 here. Now the buffer is filled first.
        byte[] bytes = ("1,\"" + "x\n".repeat(170_000) + "\"\n2,b\n").getBytes(StandardCharsets.US_ASCII);
        List<Rec> records = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> read(bytes, true, 1 << 20));
        assertEquals(List.of("2", "b"), records.get(1).fields());
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
