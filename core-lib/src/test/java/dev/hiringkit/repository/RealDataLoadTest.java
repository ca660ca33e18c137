package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.validation.ReasonCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the challenge's real files and compares the outcome with counts this test works out by
 * itself from the files: the real files use no quoting, so a plain split on commas reads them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealDataLoadTest {

    private HikariDataSource dataSource;
    private HiringKit kit;
    @TempDir
    Path archive;

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    /** What the data rules say of the real files, computed here without the library. */
    record Expected(long departments, long jobs, long employeesInserted, long employeesRejected,
            Map<ReasonCode, Long> byCode) {
    }

    private static List<String[]> records(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.lines().filter(l -> !l.isEmpty()).map(l -> l.split(",", -1)).toList();
    }

    static Expected expected(Path dir) throws IOException {
        Set<String> departmentIds = new HashSet<>();
        records(dir.resolve("departments.csv")).forEach(r -> departmentIds.add(r[0]));
        Set<String> jobIds = new HashSet<>();
        records(dir.resolve("jobs.csv")).forEach(r -> jobIds.add(r[0]));
        long inserted = 0;
        long rejected = 0;
        Map<ReasonCode, Long> byCode = new EnumMap<>(ReasonCode.class);
        Set<String> seen = new HashSet<>();
        for (String[] r : records(dir.resolve("hired_employees.csv"))) {
            Set<ReasonCode> codes = new HashSet<>();
            for (String field : r) {
                if (field.isBlank()) {
                    codes.add(ReasonCode.MISSING_FIELD);
                }
            }
            if (!r[3].isBlank() && !departmentIds.contains(r[3])) {
                codes.add(ReasonCode.UNKNOWN_DEPARTMENT);
            }
            if (!r[4].isBlank() && !jobIds.contains(r[4])) {
                codes.add(ReasonCode.UNKNOWN_JOB);
            }
            if (codes.isEmpty() && !seen.add(r[0])) {
                codes.add(ReasonCode.DUPLICATE_ID);
            }
            if (codes.isEmpty()) {
                inserted++;
            } else {
                rejected++;
                codes.forEach(c -> byCode.merge(c, 1L, Long::sum));
            }
        }
        return new Expected(departmentIds.size(), jobIds.size(), inserted, rejected, byCode);
    }

    @Test
    void loadsTheRealFilesWithExactCountsAndASecondLoadChangesNothing() throws Exception {
        kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
        kit.migrate();
        Expected expected = expected(RealData.dir());
        assertEquals(12, expected.departments());
        assertEquals(183, expected.jobs());
        assertEquals(1999, expected.employeesInserted() + expected.employeesRejected());

        List<LoadResult> first = kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
        assertEquals(expected.departments(), first.get(0).inserted());
        assertEquals(0, first.get(0).rejected());
        assertEquals(expected.jobs(), first.get(1).inserted());
        LoadResult employees = first.get(2);
        assertEquals(1999, employees.rowsRead());
        assertEquals(expected.employeesInserted(), employees.inserted());
        assertEquals(expected.employeesRejected(), employees.rejected());
        assertEquals(expected.byCode(), employees.rejectedByCode());
        assertEquals(expected.employeesInserted(), kit.repository().count(Table.HIRED_EMPLOYEES));

        // The rejections are logged with their raw records, and written to the rejects file.
        List<Rejection> logged = kit.repository().rejections(employees.loadId());
        assertEquals(expected.employeesRejected(), logged.size());
        assertTrue(logged.stream().allMatch(r -> r.reasons().stream()
                .anyMatch(v -> v.code() == ReasonCode.MISSING_FIELD)));
        Path rejectsFile = Path.of(employees.rejectsFile().orElseThrow());
        assertTrue(rejectsFile.startsWith(archive.resolve("rejects/hired_employees")), rejectsFile.toString());
        assertEquals(expected.employeesRejected() + 1, Files.readAllLines(rejectsFile).size());

        String before = fingerprint();
        List<LoadResult> second = kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
        assertEquals(before, fingerprint(), "a second load changed the tables");
        assertEquals(0, second.stream().mapToLong(LoadResult::inserted).sum());
        assertEquals(expected.employeesInserted(), second.get(2).rejectedByCode().get(ReasonCode.DUPLICATE_ID));
    }

    @Test
    void pagesWalkEveryRowInIdOrderAndProgressIsReportedPerChunk() throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(db).archive(ArchiveStore.directory(archive)).build();
            kit.migrate();
            List<long[]> progress = new java.util.ArrayList<>();
            kit.repository().loadDirectory(RealData.dir(), LoadOptions.builder().chunkSize(500)
                    .progress((bytes, total, rows) -> progress.add(new long[] {bytes, total, rows})).build());
            // One report per chunk of 500 records: 1999 records make four.
            List<long[]> employees = progress.subList(progress.size() - 4, progress.size());
            assertEquals(List.of(500L, 1000L, 1500L, 1999L), employees.stream().map(p -> p[2]).toList());
            long fileSize = Files.size(RealData.dir().resolve("hired_employees.csv"));
            assertEquals(fileSize, employees.get(3)[0]);
            assertEquals(fileSize, employees.get(3)[1]);

            List<Integer> ids = new java.util.ArrayList<>();
            Integer after = null;
            do {
                var page = kit.repository().hiredEmployees(after, 300);
                page.items().forEach(e -> ids.add(e.id()));
                after = page.nextAfter().orElse(null);
            } while (after != null);
            assertEquals(kit.repository().count(Table.HIRED_EMPLOYEES), ids.size());
            assertEquals(ids.stream().sorted().distinct().toList(), ids);
            var departments = kit.repository().departments(null, 5);
            assertEquals(List.of(1, 2, 3, 4, 5), departments.items().stream().map(d -> d.id()).toList());
            assertEquals(5, departments.nextAfter().orElseThrow());
            assertEquals(java.util.Optional.empty(), kit.repository().jobs(180, 10).nextAfter());
            assertEquals(kit.repository().job(7), kit.repository().jobs(6, 1).items().stream().findFirst());
            assertTrue(kit.repository().department(99).isEmpty());
        }
    }

    private String fingerprint() throws SQLException {
        return fingerprint(dataSource);
    }

    /** An md5 of every row of the three tables, in id order. */
    static String fingerprint(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            StringBuilder out = new StringBuilder();
            for (Table t : Table.values()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), md5(string_agg(x::text, '|' ORDER BY x.id))"
                        + " FROM " + t.sqlName() + " x")) {
                    rs.next();
                    out.append(t).append(rs.getLong(1)).append(rs.getString(2)).append(';');
                }
            }
            return out.toString();
        }
    }
}
