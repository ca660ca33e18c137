package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.internal.csv.CsvReader;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Row;
import dev.hiringkit.testing.FuzzCsv;
import dev.hiringkit.testing.FuzzCsv.Expected;
import dev.hiringkit.testing.FuzzCsv.Size;
import dev.hiringkit.testing.FuzzCsv.World;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Violation;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes whole loads: per case, generated departments, jobs and hired-employees files (see
 * {@link FuzzCsv}: valid rows mixed with every kind of defect, now and then a record over the 1 MiB
 * limit) are loaded through the library into emptied tables, and each table must then hold exactly
 * the rows the generator knows are valid, while every other record is logged as rejected on its line
 * with its reasons. Departments and jobs load first, so that the employees can refer to the ones
 * that landed (or to ones that were refused, or never existed).
 *
 * <p>A JUnit test with a seeded generator, for the reasons given in {@code CsvReaderFuzzTest}, which
 * also fuzzes the reader and validator alone with thousands of cases. Here each case costs three
 * loads, so there are 30 by default (a few seconds); {@code -Dhiring.fuzz.loads=N} runs N, and
 * {@code -Dhiring.fuzz.tries=T} alone runs T / 100 (at least 30). {@code -Dhiring.fuzz.seed} works as
 * there. A failing case's files are written to {@code target/fuzz-failures/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CsvLoadFuzzTest {

    private static final int CASES = Integer.getInteger("hiring.fuzz.loads",
            Math.max(30, Integer.getInteger("hiring.fuzz.tries", 0) / 100));
    private static final long SEED = seed();

    private HikariDataSource dataSource;
    private HiringKit kit;
    @TempDir
    static Path dir;

    static long seed() {
        String value = System.getProperty("hiring.fuzz.seed", "20240607");
        return value.equals("random") ? new Random().nextLong() : Long.parseLong(value);
    }

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
        kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(dir.resolve("archive")))
                .build();
        kit.migrate();
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    @Test
    void loadsStoreExactlyTheValidRowsAndRejectEveryOtherRecord() throws Exception {
        Map<String, Long> covered = new TreeMap<>();
        for (int i = 0; i < CASES; i++) {
            Random random = new Random(SEED * 1_000_003L + i);
            emptyTables();
            World world = World.empty();
            List<FuzzCsv.File> files = new ArrayList<>();
            try {
                for (Table table : List.of(Table.DEPARTMENTS, Table.JOBS, Table.HIRED_EMPLOYEES)) {
                    // One employees file in four holds a record over the limit (1 MiB): kept rare, it is slow.
                    Size size = table == Table.HIRED_EMPLOYEES ? new Size(60, random.nextInt(4) == 0 ? 0.05 : 0, true)
                            : new Size(15, 0, true);
                    FuzzCsv.File file = FuzzCsv.generate(random, table, world, CsvReader.DEFAULT_MAX_RECORD_BYTES,
                            size);
                    files.add(file);
                    LoadResult result = load(random, i, file);
                    check(file, result);
                    world = world.plus(table, file.admittedIds());
                    file.records().forEach(e -> covered.merge(e.rejected() ? "rejected " + e.codes() : e.header()
                            ? "header" : "stored", 1L, Long::sum));
                }
            } catch (AssertionError | RuntimeException e) {
                Path saved = save(i, files);
                fail("Fuzz load case " + i + " failed (seed " + SEED + ", replay with -Dhiring.fuzz.seed=" + SEED
                        + "); its files are in " + saved + "; the last one:\n"
                        + files.get(files.size() - 1).describe(), e);
            }
        }
        System.out.println("load fuzz, " + CASES + " cases, seed " + SEED + ": " + covered);
    }

    /** Loads a file from disk or as a stream, in chunks of a random size (small ones commit, and bulk-load, often). */
    private LoadResult load(Random random, int caseNumber, FuzzCsv.File file) throws Exception {
        int[] chunks = {1, 3, 16, 10_000};
        LoadOptions options = LoadOptions.builder().chunkSize(chunks[random.nextInt(chunks.length)]).build();
        String name = "case-" + caseNumber + "-" + file.table().sqlName() + ".csv";
        if (random.nextBoolean()) {
            Path path = dir.resolve(name);
            Files.write(path, file.bytes());
            return kit.repository().load(file.table(), path, options);
        }
        return kit.repository().load(file.table(), name, new ByteArrayInputStream(file.bytes()), options);
    }

    private void check(FuzzCsv.File file, LoadResult result) throws SQLException {
        List<Expected> rows = file.records().stream().filter(e -> !e.header()).toList();
        List<Expected> rejected = rows.stream().filter(Expected::rejected).toList();
        assertEquals(rows.size() - rejected.size(), result.inserted(), "inserted");
        assertEquals(rejected.size(), result.rejected(), "rejected");
        assertEquals(rows.size(), result.rowsRead(), "rows read");

        Map<Long, Set<ReasonCode>> logged = new TreeMap<>();
        for (Rejection r : kit.repository().rejections(result.loadId())) {
            logged.put(r.recordNumber(), r.reasons().stream().map(Violation::code).collect(Collectors.toSet()));
        }
        assertEquals(rejected.stream().map(Expected::line).toList(), List.copyOf(logged.keySet()), "rejected lines");
        for (Expected e : rejected) {
            assertEquals(e.codes(), logged.get(e.line()), "line " + e.line() + ": every reason, and no other");
        }

        List<Row> expected = file.records().stream().map(Expected::row).filter(r -> r != null)
                .sorted(Comparator.comparing(Row::id)).toList();
        assertEquals(expected, stored(file.table()), "the table's rows");
    }

    private List<Row> stored(Table table) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM " + table.sqlName() + " ORDER BY id")) {
            while (rs.next()) {
                rows.add(switch (table) {
                    case DEPARTMENTS -> new Department(rs.getInt("id"), rs.getString("department"));
                    case JOBS -> new Job(rs.getInt("id"), rs.getString("job"));
                    case HIRED_EMPLOYEES -> new HiredEmployee(rs.getInt("id"), rs.getString("name"),
                            rs.getObject("datetime", OffsetDateTime.class).toInstant(), rs.getInt("department_id"),
                            rs.getInt("job_id"));
                });
            }
        }
        return rows;
    }

    private void emptyTables() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE hired_employees, departments, jobs, rejections, loads");
        }
    }

    private static Path save(int caseNumber, List<FuzzCsv.File> files) {
        try {
            Path out = Path.of("target", "fuzz-failures", "load-" + SEED + "-" + caseNumber);
            Files.createDirectories(out);
            for (FuzzCsv.File f : files) {
                Files.write(out.resolve(f.table().sqlName() + ".csv"), f.bytes());
            }
            return out.toAbsolutePath();
        } catch (Exception e) {
            return Path.of("(not saved: " + e.getMessage() + ")");
        }
    }
}
