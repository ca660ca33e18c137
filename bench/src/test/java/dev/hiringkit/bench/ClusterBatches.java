package dev.hiringkit.bench;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster test's data, the same on every run: one setup batch of departments and jobs, then batches
 * of {@value #ROWS} hired employees, batch {@code b} holding ids {@code b * 1000 + 1} to
 * {@code (b + 1) * 1000}, so that a batch's rows are found by their id range. All of them hired in 2021.
 */
final class ClusterBatches {

    static final int ROWS = 1000;
    static final int DEPARTMENTS = 12;
    static final int JOBS = 40;
    static final int YEAR = 2021;

    static final String INGEST = """
            mutation Ingest($input: IngestInput!) {
              ingest(input: $input) { batchId inserted rejected tables { table inserted rejected { reasons { code } } } }
            }""";

    private static final Instant YEAR_START = LocalDate.of(YEAR, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);

    private ClusterBatches() {
    }

    /** The departments and jobs every hire refers to. */
    static Map<String, Object> setup() {
        List<Map<String, Object>> departments = new ArrayList<>();
        for (int id = 1; id <= DEPARTMENTS; id++) {
            departments.add(Map.of("id", id, "department", "Department " + id));
        }
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (int id = 1; id <= JOBS; id++) {
            jobs.add(Map.of("id", id, "job", "Job " + id));
        }
        return Map.of("input", Map.of("departments", departments, "jobs", jobs));
    }

    static String setupKey() {
        return "cluster-setup";
    }

    /** The variables of batch {@code b}'s ingest. */
    static Map<String, Object> batch(int b) {
        List<Map<String, Object>> hires = new ArrayList<>(ROWS);
        for (int id = firstId(b); id < firstId(b + 1); id++) {
            Map<String, Object> hire = new LinkedHashMap<>();
            hire.put("id", id);
            hire.put("name", "Employee " + id);
            // spread over the year's 365 days and the day's seconds, deterministically
            hire.put("datetime", YEAR_START.plusSeconds((id * 7919L) % (365L * 86_400)).toString());
            hire.put("departmentId", 1 + id % DEPARTMENTS);
            hire.put("jobId", 1 + (id * 31) % JOBS);
            hires.add(hire);
        }
        return Map.of("input", Map.of("hiredEmployees", hires));
    }

    /** The batch's idempotency key: the same on every retry of it. */
    static String key(int b) {
        return "cluster-batch-" + b;
    }

    static int firstId(int b) {
        return b * ROWS + 1;
    }
}
