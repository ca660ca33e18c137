package dev.hiringkit.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

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
}
