package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Violation;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads and batches alike: a record is logged with every reason it has, and every datetime the rules
 * accept, up to the ends of PostgreSQL's range, is stored exactly (and survives a backup and restore);
 * one just outside is that row's OUT_OF_RANGE, never an error of the whole input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryReasonEveryValueTest {

    /** Records of hired_employees as text (the id is added in front) and the reasons each must get. */
    private static final Map<String, List<ReasonCode>> RECORDS = new LinkedHashMap<>();

    static {
        RECORDS.put("X,not-a-date,99,1", List.of(ReasonCode.BAD_DATETIME, ReasonCode.UNKNOWN_DEPARTMENT));
        RECORDS.put(",2021-01-01T00:00:00Z,1,999", List.of(ReasonCode.MISSING_FIELD, ReasonCode.UNKNOWN_JOB));
        RECORDS.put("Late,+294247-01-01T00:00:00Z,1,1", List.of(ReasonCode.OUT_OF_RANGE));
        RECORDS.put("Early,-4713-01-01T00:00:00Z,1,1", List.of(ReasonCode.OUT_OF_RANGE));
        RECORDS.put("Just early,-4713-11-23T23:59:59.999999Z,1,1", List.of(ReasonCode.OUT_OF_RANGE));
        RECORDS.put("Month 13,2021-13-01T00:00:00Z,77,3", List.of(ReasonCode.BAD_DATETIME,
                ReasonCode.UNKNOWN_DEPARTMENT, ReasonCode.UNKNOWN_JOB));
        RECORDS.put("Last,+294246-12-31T23:59:59.999999Z,1,1", List.of());
        RECORDS.put("First,-4713-11-24T00:00:00Z,2,2", List.of());
        RECORDS.put("Year zero,0000-06-15T12:00:00Z,1,2", List.of());
        RECORDS.put("Five digits,+10000-01-01T00:00:00Z,2,1", List.of());
        RECORDS.put("Offset,2021-07-27T23:30:00.1234567-05:00,1,1", List.of());
        RECORDS.put("Ordinary,2021-07-27T16:02:08Z,1,1", List.of());
    }

    /** What each valid record above must be stored as: its instant, in microseconds as PostgreSQL keeps it. */
    private static final List<Instant> STORED = List.of(Instant.parse("+294246-12-31T23:59:59.999999Z"),
            Instant.parse("-4713-11-24T00:00:00Z"), Instant.parse("0000-06-15T12:00:00Z"),
            Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("2021-07-28T04:30:00.123456Z"),
            Instant.parse("2021-07-27T16:02:08Z"));

    @TempDir
    static Path dir;
    private HikariDataSource dataSource;
    private HiringKit kit;

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
        kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(dir.resolve("archive"))).build();
        kit.migrate();
        kit.repository().insert(Batch.builder().add(new Department(1, "Engineering")).add(new Department(2, "Sales"))
                .add(new Job(1, "Engineer")).add(new Job(2, "Seller")).build());
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    /** The records with ids from {@code firstId}, one per line. */
    private static List<List<String>> records(int firstId) {
        int[] id = {firstId};
        return RECORDS.keySet().stream().map(r -> Arrays.asList((id[0]++ + "," + r).split(",", -1))).toList();
    }

    /** The reasons expected of each refused record, by its 1-based position. */
    private static Map<Long, List<ReasonCode>> expectedReasons() {
        Map<Long, List<ReasonCode>> expected = new TreeMap<>();
        long line = 1;
        for (List<ReasonCode> reasons : RECORDS.values()) {
            if (!reasons.isEmpty()) {
                expected.put(line, reasons);
            }
            line++;
        }
        return expected;
    }

    @Test
    void aLoadLogsEveryReasonAndStoresEveryAcceptedValue() throws Exception {
        String csv = records(5001).stream().map(r -> String.join(",", r)).collect(Collectors.joining("\n"));
        LoadResult result = load(csv);
        assertEquals(STORED.size(), result.inserted());
        assertEquals(expectedReasons(), kit.repository().rejections(result.loadId()).stream()
                .collect(Collectors.toMap(Rejection::recordNumber, r -> codes(r.reasons()), (a, b) -> a, TreeMap::new)));
        assertEquals(STORED, storedFrom(5001));

        LoadResult again = load(csv);
        assertEquals(0, again.inserted(), "a re-run changes nothing");
        assertEquals(STORED, storedFrom(5001));
    }

    @Test
    void aBatchOfTextRecordsGivesTheSameReasonsAndValues() throws Exception {
        Batch.Builder batch = Batch.builder();
        records(6001).forEach(r -> batch.addRecord(Table.HIRED_EMPLOYEES, r));
        BatchResult result = kit.repository().insert(batch.build());
        assertEquals(STORED.size(), result.inserted());
        Map<Long, List<ReasonCode>> reasons = new TreeMap<>();
        result.tables().get(Table.HIRED_EMPLOYEES).rejected()
                .forEach(r -> reasons.put(r.index() + 1L, codes(r.reasons())));
        assertEquals(expectedReasons(), reasons);
        assertEquals(STORED, storedFrom(6001));
        assertEquals("6001,X,not-a-date,99,1", result.tables().get(Table.HIRED_EMPLOYEES).rejected().get(0).record(),
                "a text record is logged as it was given");
    }

    @Test
    void typedRowsOutsideTheRangeAreRefusedAndTheEndsStored() throws Exception {
        BatchResult result = kit.repository().insert(Batch.ofHiredEmployees(List.of(
                new HiredEmployee(7001, "After", Instant.parse("+294247-01-01T00:00:00Z"), 1, 1),
                new HiredEmployee(7002, "Before", Instant.parse("-4713-11-23T23:59:59Z"), 1, 1),
                new HiredEmployee(7003, "Last", Instant.parse("+294246-12-31T23:59:59.999999Z"), 1, 1),
                new HiredEmployee(7004, "First", Instant.parse("-4713-11-24T00:00:00Z"), 1, 1),
                new HiredEmployee(7005, "Nanos", Instant.parse("2021-01-01T00:00:00.999999999Z"), 1, 1),
                new HiredEmployee(7006, " ", Instant.MAX, 9, 1))));
        assertEquals(3, result.inserted());
        assertEquals(List.of(List.of(ReasonCode.OUT_OF_RANGE), List.of(ReasonCode.OUT_OF_RANGE),
                        List.of(ReasonCode.MISSING_FIELD, ReasonCode.OUT_OF_RANGE, ReasonCode.UNKNOWN_DEPARTMENT)),
                result.tables().get(Table.HIRED_EMPLOYEES).rejected().stream().map(r -> codes(r.reasons())).toList());
        // Stored to the microsecond, truncated as a load's COPY does rather than rounded into the next second.
        assertEquals(List.of(Instant.parse("+294246-12-31T23:59:59.999999Z"), Instant.parse("-4713-11-24T00:00:00Z"),
                Instant.parse("2021-01-01T00:00:00.999999Z")), storedFrom(7003));
    }

    @Test
    void theEndsOfTheRangeSurviveABackupAndRestore() throws Exception {
        kit.repository().insert(Batch.ofHiredEmployees(List.of(
                new HiredEmployee(8001, "Last", Instant.parse("+294246-12-31T23:59:59.999999Z"), 1, 1),
                new HiredEmployee(8002, "First", Instant.parse("-4713-11-24T00:00:00Z"), 1, 1))));
        List<Instant> before = storedFrom(8001);
        Backup backup = kit.archiver().backup(Table.HIRED_EMPLOYEES);
        kit.archiver().restore(backup.id(), RestoreMode.REPLACE, Table.HIRED_EMPLOYEES);
        assertEquals(before, storedFrom(8001));
        assertEquals(Instant.parse("-4713-11-24T00:00:00Z"), kit.repository().hiredEmployee(8002).orElseThrow().datetime(),
                "read back through the library");
        assertEquals(Instant.parse("+294246-12-31T23:59:59.999999Z"),
                kit.repository().hiredEmployee(8001).orElseThrow().datetime());
    }

    private LoadResult load(String csv) {
        return kit.repository().load(Table.HIRED_EMPLOYEES, "edge-values.csv",
                new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), LoadOptions.defaults());
    }

    private static List<ReasonCode> codes(List<Violation> reasons) {
        return reasons.stream().map(Violation::code).toList();
    }

    /** The stored datetimes of ids from {@code firstId} up to the next thousand, in id order, read by PostgreSQL. */
    private List<Instant> storedFrom(int firstId) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT extract(epoch FROM datetime) FROM hired_employees"
                        + " WHERE id >= " + firstId + " AND id < " + (firstId / 1000 + 1) * 1000 + " ORDER BY id")) {
            List<Instant> stored = new java.util.ArrayList<>();
            while (rs.next()) {
                BigDecimal epoch = rs.getBigDecimal(1);
                BigDecimal seconds = epoch.setScale(0, java.math.RoundingMode.FLOOR);
                stored.add(Instant.ofEpochSecond(seconds.longValueExact(),
                        epoch.subtract(seconds).movePointRight(9).longValueExact()));
            }
            return stored;
        }
    }
}
