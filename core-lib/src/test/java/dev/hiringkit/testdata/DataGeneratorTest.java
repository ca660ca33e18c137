package dev.hiringkit.testdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.validation.ReasonCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataGeneratorTest {

    @TempDir
    Path dir;

    @Test
    void theSameSeedGivesTheSameBytesInTheChallengesFormat() throws Exception {
        DataGenerator generator = DataGenerator.builder().employees(5_000).seed(7).invalidRatio(0.1).build();
        generator.writeTo(dir.resolve("a"));
        generator.writeTo(dir.resolve("b"));
        for (String file : List.of("departments.csv", "jobs.csv", "hired_employees.csv")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(file)),
                    Files.readAllBytes(dir.resolve("b").resolve(file)), file);
        }
        String departments = Files.readString(dir.resolve("a/departments.csv"));
        String jobs = Files.readString(dir.resolve("a/jobs.csv"));
        String employees = Files.readString(dir.resolve("a/hired_employees.csv"));
        assertTrue(departments.startsWith("1,"), "no header");
        assertFalse(departments.endsWith("\n"), "departments.csv has no final line end");
        assertFalse(jobs.endsWith("\n"), "jobs.csv has no final line end");
        assertTrue(employees.endsWith("\r\n"), "hired_employees.csv ends with CRLF");
        assertEquals(12, departments.split("\r\n").length);
        assertEquals(180, jobs.split("\r\n").length);
        assertTrue(jobs.contains("/"), "some job titles hold a slash, as in the real file");
        assertEquals(0, employees.replace("\r\n", "").chars().filter(c -> c == '\n' || c == '\r').count(),
                "every line ends with CRLF");
        DataGenerator.builder().employees(5_000).seed(8).invalidRatio(0.1).build().writeTo(dir.resolve("c"));
        assertFalse(employees.equals(Files.readString(dir.resolve("c/hired_employees.csv"))),
                "another seed gives other data");
    }

    @Test
    void theLibraryRefusesExactlyTheRowsTheGeneratorBroke() throws Exception {
        DataGenerator.Summary summary = DataGenerator.builder().employees(20_000).seed(11).invalidRatio(0.05).build()
                .writeTo(dir);
        assertTrue(summary.invalidByKind().keySet().containsAll(List.of("MISSING_FIELD", "NOT_AN_INTEGER",
                "OUT_OF_RANGE", "BAD_DATETIME", "UNKNOWN_DEPARTMENT", "UNKNOWN_JOB", "DUPLICATE_ID",
                "WRONG_COLUMN_COUNT")), summary.invalidByKind().toString());
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource)
                    .archive(ArchiveStore.directory(dir.resolve("archive"))).build();
            kit.migrate();
            List<LoadResult> results = kit.repository().loadDirectory(dir, LoadOptions.defaults());
            assertEquals(12, results.get(0).inserted());
            assertEquals(180, results.get(1).inserted());
            LoadResult employees = results.get(2);
            Map<ReasonCode, Long> expected = new EnumMap<>(ReasonCode.class);
            summary.invalidByKind().forEach((kind, count) -> expected.put(ReasonCode.valueOf(kind), count));
            assertEquals(expected, employees.rejectedByCode());
            assertEquals(summary.employees() - summary.invalidEmployees(), employees.inserted());
            assertEquals(employees.inserted(), kit.repository().count(Table.HIRED_EMPLOYEES));
        }
    }
}
