package dev.hiringkit.internal.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hiringkit.Table;
import dev.hiringkit.model.Row;
import dev.hiringkit.testing.FuzzCsv;
import dev.hiringkit.testing.FuzzCsv.Expected;
import dev.hiringkit.testing.FuzzCsv.Size;
import dev.hiringkit.testing.FuzzCsv.World;
import dev.hiringkit.validation.Checked;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Validator;
import dev.hiringkit.validation.Violation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Fuzzes the CSV reader and the validator with thousands of generated files (see {@link FuzzCsv}):
 * valid rows mixed with every kind of defect, files mutated byte by byte, and random bytes.
 *
 * <p>Properties: (a) the reader never throws on any bytes, reads the same whatever the sizes of the
 * reads, and its line, byte count and checksum after each record describe exactly what it consumed;
 * (b) on every record commons-csv reads, it reads the same fields (which records are comparable is
 * said at {@link #agreeWithCommonsCsv}); (c) it returns exactly the records each generated file was
 * built from, and the validator labels each as the generator did. Storing them is fuzzed by
 * {@code CsvLoadFuzzTest}, against a database.
 *
 * <p>A JUnit test with its own seeded generator rather than a property-testing library: each file
 * is built as a plan of records that knows what every record must come to, which is the heart of
 * the oracle and has to be written here anyway; a seed replays any case; and the number of cases is
 * a run-time setting. A failure is shrunk here (records dropped from a plan, bytes from a mutated
 * file), written to {@code target/fuzz-failures/} and printed with its seed.
 *
 * <p>Settings: {@code -Dhiring.fuzz.tries=100000} runs that many cases per property (default 2,000,
 * a few seconds); {@code -Dhiring.fuzz.seed=123} replays a seed, {@code -Dhiring.fuzz.seed=random}
 * draws a new one (default: a fixed seed, so that a build is repeatable).
 */
class CsvReaderFuzzTest {

    static final int TRIES = Integer.getInteger("hiring.fuzz.tries", 2_000);
    static final long SEED = seed();

    /** Limits to read with: small ones so that over-long records are common and cheap. */
    private static final int[] LIMITS = {16, 40, 100, 300, 1024, 4096, 65_536};

    static long seed() {
        String value = System.getProperty("hiring.fuzz.seed", "20240607");
        return value.equals("random") ? new Random().nextLong() : Long.parseLong(value);
    }

    /** What the cases covered, printed after each property: a fuzz test that tests little says so. */
    private static final Map<String, Long> COVERED = new ConcurrentSkipListMap<>();

    private static void count(String what) {
        COVERED.merge(what, 1L, Long::sum);
    }

    @AfterEach
    void printCoverage(TestInfo test) {
        System.out.println(test.getDisplayName() + ", " + TRIES + " cases, seed " + SEED + ": " + COVERED);
        COVERED.clear();
    }

    /** One record as read, with the reader's counters after it. */
    record Rec(long line, List<String> fields, String raw, CsvReader.Problem problem, long records, long bytesRead,
            long checksum) {
    }

    // ---- the properties -------------------------------------------------------------------------

    @Test
    void generatedFilesAreReadAsTheyWereBuilt() {
        forEachCase("generated", random -> {
            World world = world(random);
            Table table = Table.values()[random.nextInt(3)];
            int limit = random.nextInt(10) == 0 ? CsvReader.DEFAULT_MAX_RECORD_BYTES
                    : LIMITS[random.nextInt(LIMITS.length)];
            double longChance = limit == CsvReader.DEFAULT_MAX_RECORD_BYTES ? 0 : 0.04;
            return FuzzCsv.generate(random, table, world, limit, new Size(40, longChance, false));
        }, CsvReaderFuzzTest::checkGenerated, file -> shrinkPlan(file, CsvReaderFuzzTest::checkGenerated));
    }

    @Test
    void mutatedAndRandomBytesNeverBreakTheReader() {
        forEachCase("bytes", random -> {
            int limit = LIMITS[random.nextInt(LIMITS.length)];
            byte[] bytes = random.nextBoolean() ? randomBytes(random)
                    : mutate(random, FuzzCsv.generate(random, Table.values()[random.nextInt(3)], world(random), limit,
                            new Size(20, 0.04, false)).bytes());
            return new Input(bytes, limit);
        }, CsvReaderFuzzTest::checkBytes, input -> shrinkBytes(input, CsvReaderFuzzTest::checkBytes));
    }

    @Test
    void theValidatorLabelsEveryRecordAsTheGeneratorDid() {
        forEachCase("validator", random -> {
            Table table = Table.values()[random.nextInt(3)];
            return FuzzCsv.generate(random, table, world(random), CsvReader.DEFAULT_MAX_RECORD_BYTES,
                    new Size(40, 0, false));
        }, CsvReaderFuzzTest::checkValidator, file -> shrinkPlan(file, CsvReaderFuzzTest::checkValidator));
    }

    /** What the database already holds: some departments and jobs, and a few low employee ids. */
    static World world(Random random) {
        Set<Integer> departments = new HashSet<>();
        Set<Integer> jobs = new HashSet<>();
        for (int id = 1; id <= 12; id++) {
            if (random.nextInt(3) > 0) {
                departments.add(id);
            }
            if (random.nextInt(3) > 0) {
                jobs.add(id);
            }
        }
        return new World(departments, jobs, Set.of(1, 2, 3));
    }

    // ---- checks ---------------------------------------------------------------------------------

    /** A file of bytes to read with a limit. */
    record Input(byte[] bytes, int limit) {
        String describe() {
            return "limit " + limit + ", " + bytes.length + " bytes: " + FuzzCsv.escape(bytes);
        }
    }

    static void checkGenerated(FuzzCsv.File file) {
        List<Rec> records = readChecked(file.bytes(), file.maxRecordBytes(), new Random(file.bytes().length));
        List<Expected> expected = file.records();
        assertEquals(expected.size(), records.size(), "number of records");
        for (int i = 0; i < records.size(); i++) {
            Rec got = records.get(i);
            Expected want = expected.get(i);
            String where = "record " + (i + 1) + " (" + want.kind() + ")";
            count(want.problem() == null ? want.kind().toString() : want.kind() + " " + want.problem());
            assertEquals(want.line(), got.line(), where + ": line");
            assertEquals(want.problem(), got.problem(), where + ": problem");
            if (want.problem() == null) {
                assertEquals(want.fields(), got.fields(), where + ": fields");
            }
        }
        if (file.commonsCsvComparable()) {
            agreeWithCommonsCsv(file.bytes(), records, file.maxRecordBytes(), true);
        } else {
            count("files not comparable with commons-csv");
        }
    }

    static void checkBytes(Input input) {
        List<Rec> records = readChecked(input.bytes(), input.limit(), new Random(input.bytes().length));
        agreeWithCommonsCsv(input.bytes(), records, input.limit(), false);
    }

    static void checkValidator(FuzzCsv.File file) {
        Validator validator = Validator.standard();
        Validator.Scope scope = validator.scope((table, id) -> file.world().ids(table).contains(id));
        for (Expected want : file.records()) {
            if (want.problem() != null || want.header()) {
                continue;
            }
            String where = "line " + want.line() + " " + want.fields();
            Checked<Row> checked = scope.admit(file.table(), want.fields());
            List<Violation> violations = checked.violations();
            Set<ReasonCode> codes = violations.stream().map(Violation::code)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(ReasonCode.class)));
            assertEquals(want.codes(), codes, where + ": " + violations);
            codes.forEach(c -> count(c.toString()));
            count(codes.isEmpty() ? "admitted" : "refused");
            if (want.row() != null) {
                assertEquals(want.row(), checked.row(), where);
            }
        }
    }

    /**
     * Reads {@code bytes} twice, whole and in random small reads, checks that both give the same and
     * that the counters describe what was consumed after every record, and returns the records.
     */
    static List<Rec> readChecked(byte[] bytes, int limit, Random chunks) {
        List<Rec> whole = read(new ByteArrayInputStream(bytes), bytes, limit);
        List<Rec> pieces = read(new ChunkedStream(bytes, chunks), bytes, limit);
        assertEquals(whole, pieces, "reads of other sizes gave other records");
        long lines = 1;
        for (byte b : bytes) {
            lines += b == '\n' ? 1 : 0;
        }
        long previousLine = 0;
        for (Rec rec : whole) {
            assertTrue(rec.line() > previousLine && rec.line() <= lines, "line " + rec.line() + " out of order");
            previousLine = rec.line();
            assertNotNull(rec.raw());
            if (rec.problem() == null) {
                assertFalse(rec.fields().isEmpty());
                assertTrue(rec.raw().getBytes(StandardCharsets.UTF_8).length <= limit,
                        "a record over the limit was not refused: " + rec.raw().length());
            }
        }
        return whole;
    }

    private static List<Rec> read(InputStream in, byte[] bytes, int limit) {
        List<Rec> out = new ArrayList<>();
        try (CsvReader reader = new CsvReader(in, limit)) {
            long lastBytes = -1;
            while (reader.next()) {
                Rec rec = new Rec(reader.line(), reader.fields(), reader.raw(), reader.problem(), reader.records(),
                        reader.bytesRead(), reader.checksum());
                out.add(rec);
                assertEquals(out.size(), rec.records(), "records()");
                assertTrue(rec.bytesRead() > lastBytes && rec.bytesRead() <= bytes.length,
                        "bytesRead " + rec.bytesRead());
                lastBytes = rec.bytesRead();
                CRC32C prefix = new CRC32C();
                prefix.update(bytes, 0, (int) rec.bytesRead());
                assertEquals(prefix.getValue(), rec.checksum(), "checksum after record " + out.size());
            }
            assertFalse(reader.next(), "next() after the end");
            assertEquals(bytes.length, reader.bytesRead(), "every byte is consumed");
            CRC32C all = new CRC32C();
            all.update(bytes);
            assertEquals(all.getValue(), reader.checksum());
        } catch (IOException e) {
            throw new UncheckedIOException("the reader threw on bytes in memory", e);
        }
        return out;
    }

    // ---- commons-csv as a second opinion --------------------------------------------------------

    /**
     * Compares with commons-csv (RFC 4180, empty lines skipped as this reader does; a leading byte
     * order mark removed first, since commons-csv keeps it as text). Comparable: every record that
     * commons-csv returns before it reports an error (or all of them), in a file where no rule
     * differs on purpose. Two do: a bare CR that is not a file's last byte ends a record for
     * commons-csv and is refused here (DESIGN.md: CRLF or LF), and whitespace between a closing quote
     * and the next comma is skipped by commons-csv and refused here (RFC 4180). Generated files know
     * whether they hold either; other bytes are judged conservatively. On comparable records the
     * fields must be equal, except that a record over the limit is refused here (then commons-csv's
     * record must be long enough to be over it).
     */
    static void agreeWithCommonsCsv(byte[] bytes, List<Rec> ours, int limit, boolean knownComparable) {
        if (!knownComparable && !comparableBytes(bytes)) {
            count("files not comparable with commons-csv");
            return;
        }
        boolean bom = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF;
        byte[] text = bom ? Arrays.copyOfRange(bytes, 3, bytes.length) : bytes;
        List<List<String>> theirs = new ArrayList<>();
        boolean failed = false;
        CSVFormat format = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
        try (CSVParser parser = CSVParser.parse(
                new InputStreamReader(new ByteArrayInputStream(text), StandardCharsets.UTF_8), format)) {
            Iterator<CSVRecord> records = parser.iterator();
            while (true) {
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    theirs.add(records.next().toList());
                } catch (UncheckedIOException e) {
                    failed = true;
                    break;
                }
            }
        } catch (IOException e) {
            failed = true;
        }
        for (int i = 0; i < theirs.size(); i++) {
            assertTrue(i < ours.size(), "commons-csv read more records: " + theirs.subList(i, theirs.size()));
            Rec rec = ours.get(i);
            List<String> fields = theirs.get(i);
            String where = "record " + (i + 1) + " (commons-csv: " + fields + ")";
            if (rec.problem() == CsvReader.Problem.TOO_LONG) {
                long most = fields.size() - 1;
                for (String f : fields) {
                    most += 2L * f.getBytes(StandardCharsets.UTF_8).length + 2;
                }
                assertTrue(most > limit, where + " refused as too long");
            } else {
                assertEquals(fields, rec.fields(), where);
                assertTrue(rec.problem() != CsvReader.Problem.BAD_QUOTING, where + " refused as badly quoted");
            }
        }
        if (!failed) {
            assertEquals(theirs.size(), ours.size(), "number of records (commons-csv read the whole file)");
        }
        count(failed ? "files commons-csv stopped in" : "files commons-csv read whole");
        COVERED.merge("records compared with commons-csv", (long) theirs.size(), Long::sum);
    }

    /** Bytes holding no rule on which the two parsers differ on purpose (see agreeWithCommonsCsv). */
    private static boolean comparableBytes(byte[] bytes) {
        for (int i = 0; i < bytes.length - 1; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] != '\n') {
                return false;
            }
        }
        return !FuzzCsv.quoteThenWhitespace(bytes);
    }

    // ---- inputs ---------------------------------------------------------------------------------

    private static final byte[] SPECIAL = {'"', ',', '\r', '\n', 0, (byte) 0xC3, (byte) 0xA9, (byte) 0xFF,
        (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, ' ', '\t', 'a', '1'};

    /** Bytes mostly from SPECIAL. */
    static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(300)];
        // Half the cases leave out what makes bytes incomparable (see comparableBytes): CR, space, tab.
        boolean all = random.nextBoolean();
        for (int i = 0; i < bytes.length; i++) {
            do {
                bytes[i] = random.nextInt(8) == 0 ? (byte) random.nextInt(256)
                        : SPECIAL[random.nextInt(SPECIAL.length)];
            } while (!all && (bytes[i] == '\r' || bytes[i] == ' ' || bytes[i] == '\t'));
        }
        return bytes;
    }

    static byte[] mutate(Random random, byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] current = bytes;
        int mutations = 1 + random.nextInt(8);
        for (int m = 0; m < mutations; m++) {
            int at = current.length == 0 ? 0 : random.nextInt(current.length + 1);
            out.reset();
            out.write(current, 0, at);
            switch (random.nextInt(4)) {
                case 0 -> out.write(SPECIAL[random.nextInt(SPECIAL.length)]);
                case 1 -> at = Math.min(current.length, at + 1 + random.nextInt(3));
                case 2 -> {
                    int from = current.length == 0 ? 0 : random.nextInt(current.length);
                    out.write(current, from, Math.min(current.length - from, random.nextInt(40)));
                }
                default -> {
                    out.write(SPECIAL[random.nextInt(SPECIAL.length)]);
                    at = Math.min(current.length, at + 1);
                }
            }
            out.write(current, at, current.length - at);
            current = out.toByteArray();
        }
        return current;
    }

    /** Serves its bytes in reads of 1 to 7 bytes. */
    private static final class ChunkedStream extends InputStream {
        private final byte[] bytes;
        private final Random random;
        private int at;

        ChunkedStream(byte[] bytes, Random random) {
            this.bytes = bytes;
            this.random = random;
        }

        @Override
        public int read() {
            return at < bytes.length ? bytes[at++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (at >= bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(7)), bytes.length - at);
            System.arraycopy(bytes, at, b, off, n);
            at += n;
            return n;
        }
    }

    // ---- running cases, shrinking failures ------------------------------------------------------

    /** Runs TRIES cases, each from its own seed; a failing case is shrunk, saved and reported. */
    static <T> void forEachCase(String name, Function<Random, T> generate, Consumer<T> check,
            Function<T, T> shrink) {
        for (int i = 0; i < TRIES; i++) {
            long caseSeed = SEED * 1_000_003L + i;
            T input = generate.apply(new Random(caseSeed));
            Throwable failure = failureOf(check, input);
            if (failure != null) {
                T small = shrink.apply(input);
                Throwable smallFailure = failureOf(check, small);
                String description = small instanceof FuzzCsv.File f ? f.describe() : ((Input) small).describe();
                Path saved = save(name + "-" + SEED + "-" + i, small);
                fail("Fuzz case " + i + " of " + name + " failed (seed " + SEED + ", replay with -Dhiring.fuzz.seed="
                        + SEED + "); shrunk to " + saved + ":\n" + description + "\n"
                        + (smallFailure == null ? failure : smallFailure), failure);
            }
        }
    }

    static <T> Throwable failureOf(Consumer<T> check, T input) {
        try {
            check.accept(input);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Drops records, and then the file's frame, while the file still fails. */
    static FuzzCsv.File shrinkPlan(FuzzCsv.File file, Consumer<FuzzCsv.File> check) {
        FuzzCsv.File current = file;
        boolean progress = true;
        int attempts = 0;
        while (progress && attempts < 500) {
            progress = false;
            for (int i = current.plan().size() - 1; i >= 0 && attempts < 500; i--) {
                List<FuzzCsv.Spec> smaller = new ArrayList<>(current.plan());
                smaller.remove(i);
                FuzzCsv.File candidate = current.withPlan(smaller);
                attempts++;
                if (failureOf(check, candidate) != null) {
                    current = candidate;
                    progress = true;
                }
            }
        }
        return current;
    }

    /** Drops ever smaller runs of bytes while the input still fails. */
    static Input shrinkBytes(Input input, Consumer<Input> check) {
        byte[] current = input.bytes();
        int attempts = 0;
        for (int run = Math.max(1, current.length / 2); run >= 1 && attempts < 2_000; run /= 2) {
            for (int at = 0; at + run <= current.length && attempts < 2_000;) {
                byte[] candidate = new byte[current.length - run];
                System.arraycopy(current, 0, candidate, 0, at);
                System.arraycopy(current, at + run, candidate, at, current.length - at - run);
                attempts++;
                if (failureOf(check, new Input(candidate, input.limit())) != null) {
                    current = candidate;
                } else {
                    at += run;
                }
            }
        }
        return new Input(current, input.limit());
    }

    private static Path save(String name, Object input) {
        try {
            Path dir = Path.of("target", "fuzz-failures");
            Files.createDirectories(dir);
            Path file = dir.resolve(name + ".csv");
            Files.write(file, input instanceof FuzzCsv.File f ? f.bytes() : ((Input) input).bytes());
            return file.toAbsolutePath();
        } catch (IOException e) {
            return Path.of("(not saved: " + e.getMessage() + ")");
        }
    }
}
