package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.internal.csv.CsvReader;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Violation;
import dev.hiringkit.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of broken CSV files: each bad record is refused with its code, line and raw text, no
 * exception escapes, and every valid record lands with exactly its values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadCsvLoadTest {

    private HikariDataSource dataSource;
    private HiringKit kit;
    @TempDir
    static Path dir;
    private int nextId = 1000;

    @BeforeAll
    void start() throws Exception {
        dataSource = TestDatabase.newDatabase();
        kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(dir.resolve("archive"))).build();
        kit.migrate();
        Files.writeString(dir.resolve("departments.csv"), "1,Engineering\r\n2,Sales");
        Files.writeString(dir.resolve("jobs.csv"), "1,Engineer\r\n2,Seller");
        kit.repository().load(Table.DEPARTMENTS, dir.resolve("departments.csv"), LoadOptions.defaults());
        kit.repository().load(Table.JOBS, dir.resolve("jobs.csv"), LoadOptions.defaults());
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    /** A corpus entry: the file's bytes (with {@code $} standing for a fresh id), what it must give. */
    record Case(String name, byte[] bytes, int valid, Map<Long, ReasonCode> rejectedLines) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case text(String name, String content, int valid, Map<Long, ReasonCode> rejected) {
        return new Case(name, content.getBytes(StandardCharsets.UTF_8), valid, rejected);
    }

    static Stream<Arguments> corpus() throws Exception {
        ByteArrayOutputStream badUtf8 = new ByteArrayOutputStream();
        badUtf8.write("$,Ana,2021-01-01T00:00:00Z,1,1\n$,B".getBytes(StandardCharsets.UTF_8));
        badUtf8.write(new byte[] {(byte) 0xC3, (byte) 0x28});
        badUtf8.write("b,2021-01-01T00:00:00Z,1,1\n$,Cy,2021-01-01T00:00:00Z,1,1\n".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream bom = new ByteArrayOutputStream();
        bom.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        bom.write("$,Ana,2021-01-01T00:00:00Z,1,1\r\n$,Bo,2021-01-01T00:00:00Z,2,2".getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                text("wrong column count", "$,Ana,2021-01-01T00:00:00Z,1\n$,Bo,2021-01-01T00:00:00Z,1,1,9\n"
                        + "$,Cy,2021-01-01T00:00:00Z,1,1\n", 1, Map.of(1L, ReasonCode.WRONG_COLUMN_COUNT, 2L,
                        ReasonCode.WRONG_COLUMN_COUNT)),
                text("unclosed quote", "$,Ana,2021-01-01T00:00:00Z,1,1\n$,\"Bo,2021-01-01T00:00:00Z,1,1\n"
                        + "$,Cy,2021-01-01T00:00:00Z,1,1\n$,Di,2021-01-01T00:00:00Z,2,2\n", 3,
                        Map.of(2L, ReasonCode.BAD_QUOTING)),
                new Case("invalid UTF-8", badUtf8.toByteArray(), 2, Map.of(2L, ReasonCode.BAD_ENCODING)),
                new Case("byte order mark, CRLF, no final line end", bom.toByteArray(), 2, Map.of()),
                text("header row", "id,name,datetime,department_id,job_id\n$,Ana,2021-01-01T00:00:00Z,1,1\n", 1,
                        Map.of()),
                text("empty file", "", 0, Map.of()),
                text("blank lines", "\n$,Ana,2021-01-01T00:00:00Z,1,1\n\r\n\n$,Bo,2021-01-01T00:00:00Z,1,1\n\n", 2,
                        Map.of()),
                text("non-integer, negative and too-large ids", "x1,Ana,2021-01-01T00:00:00Z,1,1\n"
                        + "-5,Bo,2021-01-01T00:00:00Z,1,1\n2147483648,Cy,2021-01-01T00:00:00Z,1,1\n"
                        + "$,Di,2021-01-01T00:00:00Z,1.5,1\n0,Ed,2021-01-01T00:00:00Z,1,1\n$,Fe,2021-01-01T00:00:00Z,1,1\n",
                        1, Map.of(1L, ReasonCode.NOT_AN_INTEGER, 2L, ReasonCode.OUT_OF_RANGE, 3L,
                                ReasonCode.OUT_OF_RANGE, 4L, ReasonCode.NOT_AN_INTEGER, 5L, ReasonCode.OUT_OF_RANGE)),
                text("bad and offset datetimes", "$,Ana,2021-02-30T00:00:00Z,1,1\n$,Bo,2021-07-27 16:02:08,1,1\n"
                        + "$,Cy,2020-12-31T23:30:00-05:00,1,1\n$,Di,yesterday,1,1\n$,Ed,2021-07-27T16:02:08.123Z,1,1\n",
                        2, Map.of(1L, ReasonCode.BAD_DATETIME, 2L, ReasonCode.BAD_DATETIME, 4L,
                                ReasonCode.BAD_DATETIME)),
                text("names with commas, quotes, newlines and SQL", "$,\"Smith, Ana\",2021-01-01T00:00:00Z,1,1\n"
                        + "$,\"Bo \"\"The Boss\"\" Li\",2021-01-01T00:00:00Z,1,1\n"
                        + "$,\"Cy\nSecond Line\",2021-01-01T00:00:00Z,1,1\n"
                        + "$,Robert'); DROP TABLE hired_employees;--,2021-01-01T00:00:00Z,1,1\n"
                        + "$,Tab\tand back\\slash,2021-01-01T00:00:00Z,1,1\n", 5, Map.of()),
                text("unknown department or job", "$,Ana,2021-01-01T00:00:00Z,9,1\n$,Bo,2021-01-01T00:00:00Z,1,9\n"
                        + "$,Cy,2021-01-01T00:00:00Z,2,2\n", 1, Map.of(1L, ReasonCode.UNKNOWN_DEPARTMENT, 2L,
                        ReasonCode.UNKNOWN_JOB)),
                text("missing fields", "$,,2021-01-01T00:00:00Z,1,1\n$,Bo,,1,1\n$,Cy,2021-01-01T00:00:00Z,,1\n"
                        + ",Di,2021-01-01T00:00:00Z,1,1\n$,  ,2021-01-01T00:00:00Z,1,1\n", 0,
                        Map.of(1L, ReasonCode.MISSING_FIELD, 2L, ReasonCode.MISSING_FIELD, 3L, ReasonCode.MISSING_FIELD,
                                4L, ReasonCode.MISSING_FIELD, 5L, ReasonCode.MISSING_FIELD)),
                text("NUL character", "$,A\u0000na,2021-01-01T00:00:00Z,1,1\n$,Bo,2021-01-01T00:00:00Z,1,1\n", 1,
                        Map.of(1L, ReasonCode.BAD_ENCODING)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachBadRecordGetsItsCodeAndNoValidRowIsLost(Case c) throws Exception {
        String content = new String(c.bytes(), StandardCharsets.ISO_8859_1);
        StringBuilder withIds = new StringBuilder();
        for (char ch : content.toCharArray()) {
            withIds.append(ch == '$' ? Integer.toString(nextId++) : String.valueOf(ch));
        }
        Path file = dir.resolve(c.name().replaceAll("[^a-z]+", "-") + ".csv");
        Files.write(file, withIds.toString().getBytes(StandardCharsets.ISO_8859_1));
        long before = kit.repository().count(Table.HIRED_EMPLOYEES);

        LoadResult result = kit.repository().load(Table.HIRED_EMPLOYEES, file, LoadOptions.defaults());

        assertEquals(c.valid(), result.inserted(), c.name());
        assertEquals(c.rejectedLines().size(), result.rejected(), c.name());
        assertEquals(before + c.valid(), kit.repository().count(Table.HIRED_EMPLOYEES));
        Map<Long, List<ReasonCode>> logged = kit.repository().rejections(result.loadId()).stream()
                .collect(Collectors.toMap(Rejection::recordNumber,
                        r -> r.reasons().stream().map(Violation::code).toList()));
        assertEquals(c.rejectedLines().keySet(), logged.keySet(), c.name());
        c.rejectedLines().forEach((line, code) -> assertTrue(logged.get(line).contains(code),
                c.name() + " line " + line + ": " + logged.get(line)));
        if (result.rejected() > 0) {
            List<String> rejectsFile = Files.readAllLines(Path.of(result.rejectsFile().orElseThrow()));
            assertEquals("line,reasons,record", rejectsFile.get(0));
        }
    }

    @Test
    void trickyButValidValuesAreStoredExactly() throws Exception {
        Path file = dir.resolve("exact.csv");
        Files.writeString(file, "900001,\"Smith, Ana \"\"Jr\"\"\",2020-12-31T23:30:00-05:00,1,2\n"
                + "900002,\"Line\r\nBreak\",2021-07-27T16:02:08.123456Z,2,1\n"
                + "900003,Robert'); DROP TABLE hired_employees;--,2021-07-27T16:02:08Z,1,1\n"
                + "900004,Zoë Ünal \\N,2021-07-27T16:02:08Z,1,1\n");
        LoadResult result = kit.repository().load(Table.HIRED_EMPLOYEES, file, LoadOptions.defaults());
        assertEquals(4, result.inserted());
        assertEquals(new HiredEmployee(900001, "Smith, Ana \"Jr\"", Instant.parse("2021-01-01T04:30:00Z"), 1, 2),
                kit.repository().hiredEmployee(900001).orElseThrow());
        assertEquals(new HiredEmployee(900002, "Line\r\nBreak", Instant.parse("2021-07-27T16:02:08.123456Z"), 2, 1),
                kit.repository().hiredEmployee(900002).orElseThrow());
        assertEquals("Robert'); DROP TABLE hired_employees;--", kit.repository().hiredEmployee(900003).orElseThrow().name());
        assertEquals("Zoë Ünal \\N", kit.repository().hiredEmployee(900004).orElseThrow().name());
    }

    @Test
    void repeatedIdsKeepTheFirstValidOccurrence() throws Exception {
        Path file = dir.resolve("repeated.csv");
        Files.writeString(file, "800001,,2021-01-01T00:00:00Z,1,1\n800001,First Valid,2021-01-01T00:00:00Z,1,1\n"
                + "800001,Second,2021-01-01T00:00:00Z,1,1\n800002,Other,2021-01-01T00:00:00Z,1,1\n");
        LoadResult result = kit.repository().load(Table.HIRED_EMPLOYEES, file, LoadOptions.defaults());
        assertEquals(2, result.inserted());
        assertEquals(Map.of(ReasonCode.MISSING_FIELD, 1L, ReasonCode.DUPLICATE_ID, 1L), result.rejectedByCode());
        assertEquals("First Valid", kit.repository().hiredEmployee(800001).orElseThrow().name());
        List<Rejection> rejections = kit.repository().rejections(result.loadId());
        assertEquals(List.of(1L, 3L), rejections.stream().map(Rejection::recordNumber).toList());
        assertEquals("800001,Second,2021-01-01T00:00:00Z,1,1", rejections.get(1).rawRecord());
    }

    /** Hired-employee lines, each valid on its own, for ids from {@code first} on. */
    private static String rows(int first, int count) {
        StringBuilder text = new StringBuilder();
        for (int id = first; id < first + count; id++) {
            text.append(id).append(",Row ").append(id).append(",2021-03-04T05:06:07Z,1,2\n");
        }
        return text.toString();
    }

    @Test
    void anOversizedQuotedFieldIsOneRejectedRecordAndNoLineInsideItIsInserted() throws Exception {
        // Over 1 MiB of lines that would each be a valid row, inside one quoted name.
        String inner = rows(610_000, 40_000);
        assertTrue(inner.length() > CsvReader.DEFAULT_MAX_RECORD_BYTES);
        Path file = dir.resolve("oversized-field.csv");
        Files.writeString(file, "600001,Before,2021-01-01T00:00:00Z,1,1\n600002,\"" + inner
                + "\",2021-01-01T00:00:00Z,1,1\r\n600003,After,2021-01-01T00:00:00Z,2,2\n"
                + "600004,Last,2021-01-01T00:00:00Z,1,2");

        LoadResult result = kit.repository().load(Table.HIRED_EMPLOYEES, file, LoadOptions.defaults());

        assertEquals(3, result.inserted());
        assertEquals(1, result.rejected());
        assertEquals(Map.of(ReasonCode.RECORD_TOO_LONG, 1L), result.rejectedByCode());
        List<Rejection> rejections = kit.repository().rejections(result.loadId());
        assertEquals(List.of(2L), rejections.stream().map(Rejection::recordNumber).toList());
        assertTrue(rejections.get(0).rawRecord().startsWith("600002,\"610000,Row 610000,"));
        assertTrue(rejections.get(0).rawRecord().length() < 2048, "the log keeps a preview, not the record");
        assertEquals("After", kit.repository().hiredEmployee(600003).orElseThrow().name());
        assertEquals("Last", kit.repository().hiredEmployee(600004).orElseThrow().name());
        assertTrue(kit.repository().hiredEmployee(600002).isEmpty());
        assertEquals(0, countIn(610_000, 650_000), "a line inside the field was inserted");
    }

    @Test
    void aStrayQuoteThatNeverClosesInALargeFileCostsOnlyItsLine() throws Exception {
        // The quote is open for the whole rest of the file, over 1 MiB: every row after it still lands.
        Path file = dir.resolve("stray-quote.csv");
        Files.writeString(file, "660001,Before,2021-01-01T00:00:00Z,1,1\n660002,\"Stray,2021-01-01T00:00:00Z,1,1\n"
                + rows(660_003, 40_000));

        LoadResult result = kit.repository().load(Table.HIRED_EMPLOYEES, file, LoadOptions.defaults());

        assertEquals(40_001, result.inserted());
        assertEquals(Map.of(ReasonCode.BAD_QUOTING, 1L), result.rejectedByCode());
        List<Rejection> rejections = kit.repository().rejections(result.loadId());
        assertEquals(List.of(2L), rejections.stream().map(Rejection::recordNumber).toList());
        assertEquals("660002,\"Stray,2021-01-01T00:00:00Z,1,1", rejections.get(0).rawRecord());
        assertEquals(40_001, countIn(660_000, 700_003));
        assertEquals("Row 700002", kit.repository().hiredEmployee(700_002).orElseThrow().name());
    }

    private long countIn(int fromId, int toId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement count = c.prepareStatement(
                        "SELECT count(*) FROM hired_employees WHERE id >= ? AND id < ?")) {
            count.setInt(1, fromId);
            count.setInt(2, toId);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
