package dev.hiringkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.archive.s3.S3Location;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.reports.DepartmentsAboveMean;
import dev.hiringkit.reports.HiresByQuarter;
import dev.hiringkit.reports.Reports;
import dev.hiringkit.testing.TestS3;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** What the cluster test asserts once the load is over, each check with what it found. */
final class ClusterChecks {

    /** One assertion's outcome. */
    record Check(String name, boolean passed, String detail) {
    }

    static final String REPORTS = """
            {
              hiresByQuarter(year: 2021, limit: 1000) { totalRows totals { q1 q2 q3 q4 } rows { departmentId jobId hires { q1 q2 q3 q4 } } }
              departmentsAboveMean(year: 2021) { mean departmentCount totalHired departments { id hired } }
            }""";

    /** Acknowledged batches sent again, one per client. */
    private static final int RESENT = 8;

    private final Cluster cluster;
    private final List<Check> checks = new ArrayList<>();

    ClusterChecks(Cluster cluster) {
        this.cluster = cluster;
    }

    List<Check> checks() {
        return checks;
    }

    boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    /** Runs every check over the batches the phases' clients sent. */
    void run(List<LoadStats> phases, Chaos chaos) throws Exception {
        Set<Integer> acknowledged = new HashSet<>();
        Set<Integer> givenUp = new HashSet<>();
        long duplicatesAnswered = 0;
        long rejectedAnswered = 0;
        for (LoadStats phase : phases) {
            acknowledged.addAll(phase.acknowledged);
            givenUp.addAll(phase.givenUp);
            duplicatesAnswered += phase.duplicateIdRejections.sum();
            rejectedAnswered += phase.rejectedInAnswers.sum();
        }
        resentBatchesReplay(phases.get(phases.size() - 1));
        ClusterDatabase database = cluster.database();
        try (HikariDataSource primary = database.pool(database.primaryUrl(ClusterDatabase.DATABASE), "primary-check", 2);
                HikariDataSource standby = database.pool(database.standbyUrl(), "standby-check", 2)) {
            add("every batch acknowledged", givenUp.isEmpty(),
                    givenUp.isEmpty() ? acknowledged.size() + " batches" : givenUp.size() + " given up: " + first(givenUp));
            batchesAppliedOnce(primary, acknowledged);
            long duplicates = count(primary, "SELECT count(*) FROM rejections WHERE reasons::text LIKE '%"
                    + ClusterNames.DUPLICATE_ID + "%'");
            long rejections = count(primary, "SELECT count(*) FROM rejections");
            add("no rejection caused by a retry", duplicates == 0 && duplicatesAnswered == 0 && rejectedAnswered == 0,
                    duplicates + " DUPLICATE_ID rejections logged (" + rejections + " rejections in all), "
                            + duplicatesAnswered + " in answers");
            long rows = count(primary, "SELECT count(*) FROM hired_employees");
            long ids = count(primary, "SELECT count(DISTINCT id) FROM hired_employees");
            add("every id stored once", rows == ids && rows == acknowledged.size() * (long) ClusterBatches.ROWS,
                    rows + " rows, " + ids + " distinct ids, " + acknowledged.size() * (long) ClusterBatches.ROWS + " sent");
            reportsOnStandby(primary, standby);
        }
        if (chaos != null) {
            add("the chaos ran", chaos.failure == null, chaos.failure == null ? chaos.events.size() + " events"
                    : String.valueOf(chaos.failure));
            add("SIGTERM stopped the instance within its grace", chaos.terminatedExit != -1
                    && chaos.terminatedExit != Integer.MIN_VALUE, "exit " + chaos.terminatedExit + " after "
                    + (chaos.terminatedIn == null ? "?" : chaos.terminatedIn.toMillis() + " ms"));
            backupRestores(chaos.backup.get());
        }
    }

    /**
     * A client whose answer was lost sends the batch again with its key: a few acknowledged batches, sent
     * again through the load balancer, come back as the first answer (same batch id, all rows inserted),
     * marked replayed, and add nothing (the counts below include them).
     */
    private void resentBatchesReplay(LoadStats phase) throws InterruptedException {
        List<Integer> batches = phase.batchIds.keySet().stream().sorted().limit(RESENT).toList();
        List<String> wrong = new ArrayList<>();
        ApiClient api = cluster.client();
        for (int b : batches) {
            ApiClient.Answer answer = api.post(ClusterBatches.INGEST, ClusterBatches.batch(b), ClusterBatches.key(b),
                    IngestLoad.TIMEOUT);
            JsonNode ingest = answer.acknowledged() ? answer.data().path("ingest") : null;
            if (ingest == null) {
                wrong.add("batch " + b + ": " + answer.failure());
            } else if (!answer.replayed() || !ingest.path("batchId").asText().equals(phase.batchIds.get(b))
                    || ingest.path("inserted").asInt() != ClusterBatches.ROWS) {
                wrong.add("batch " + b + ": replayed " + answer.replayed() + ", batch id " + ingest.path("batchId").asText()
                        + " (first " + phase.batchIds.get(b) + "), inserted " + ingest.path("inserted").asInt());
            }
        }
        add("a batch sent again with its key is replayed", !batches.isEmpty() && wrong.isEmpty(), wrong.isEmpty()
                ? batches.size() + " batches answered as the first time, marked " + ClusterNames.REPLAYED_HEADER
                : wrong.size() + " of " + batches.size() + " not: " + wrong.stream().limit(2).collect(Collectors.joining("; "))
                        + (wrong.size() > 2 ? "; ..." : ""));
    }

    /** Each acknowledged batch's id range holds its 1000 rows, and no other range holds any. */
    private void batchesAppliedOnce(HikariDataSource primary, Set<Integer> acknowledged) throws SQLException {
        Map<Integer, Long> perBatch = perBatch(primary);
        List<String> wrong = new ArrayList<>();
        for (int b : acknowledged) {
            long rows = perBatch.getOrDefault(b, 0L);
            if (rows != ClusterBatches.ROWS) {
                wrong.add("batch " + b + ": " + rows + " rows");
            }
        }
        for (Map.Entry<Integer, Long> batch : perBatch.entrySet()) {
            if (!acknowledged.contains(batch.getKey())) {
                wrong.add("batch " + batch.getKey() + " (not acknowledged): " + batch.getValue() + " rows");
            }
        }
        add("every batch applied exactly once", wrong.isEmpty(), wrong.isEmpty()
                ? perBatch.size() + " batches of " + ClusterBatches.ROWS + " rows" : wrong.size() + " wrong: " + first(wrong));
    }

    /** The standby, once caught up, answers the reports as the primary does, through the library and the API. */
    private void reportsOnStandby(HikariDataSource primary, HikariDataSource standby) throws Exception {
        cluster.database().awaitStandbyCaughtUp(Duration.ofSeconds(60));
        Reports onPrimary = HiringKit.builder().dataSource(primary).build().reports();
        Reports onStandby = HiringKit.builder().dataSource(standby).build().reports();
        HiresByQuarter quarters = onPrimary.hiresByQuarter(ClusterBatches.YEAR);
        DepartmentsAboveMean above = onPrimary.departmentsAboveMean(ClusterBatches.YEAR);
        boolean same = quarters.equals(onStandby.hiresByQuarter(ClusterBatches.YEAR))
                && above.equals(onStandby.departmentsAboveMean(ClusterBatches.YEAR));
        ApiClient.Answer answer = cluster.client().post(REPORTS, Map.of(), null, Duration.ofSeconds(60));
        String api = answer.acknowledged() ? canonical(answer.data()) : "failed: " + answer.failure();
        String expected = canonical(quarters, above);
        add("reports on the standby equal the primary's", same && api.equals(expected), "library "
                + (same ? "equal" : "DIFFERENT") + ", API " + (api.equals(expected) ? "equal" : "DIFFERENT (" + api + ")")
                + "; " + quarters.totalRows() + " department-job rows, " + above.totalHired() + " hires in " + ClusterBatches.YEAR);
    }

    /**
     * The backup taken during the run, restored into a new database, holds what its manifest says, its
     * foreign keys hold, and it holds whole batches (one snapshot, batches being transactions).
     */
    private void backupRestores(JsonNode backup) throws SQLException {
        if (backup == null || backup.path("id").asText().isEmpty()) {
            add("the backup taken during the run restores", false, "no backup was acknowledged");
            return;
        }
        String id = backup.path("id").asText();
        String name = "restore_check";
        cluster.database().createDatabase(name);
        ClusterDatabase database = cluster.database();
        try (HikariDataSource scratch = database.pool(database.primaryUrl(name), name, 4)) {
            HiringKit kit = HiringKit.builder().dataSource(scratch)
                    .archive(S3Archive.store(TestS3.client(), S3Location.parse(cluster.archive))).build();
            kit.migrate();
            Backup manifest = kit.archiver().list().stream().filter(b -> b.id().equals(id)).findFirst().orElse(null);
            if (manifest == null) {
                add("the backup taken during the run restores", false, "backup " + id + " is not listed in the archive");
                return;
            }
            kit.archiver().restore(id, RestoreMode.REPLACE);
            List<String> wrong = new ArrayList<>();
            List<String> counts = new ArrayList<>();
            for (Backup.TableFile file : manifest.tables()) {
                long rows = count(scratch, "SELECT count(*) FROM " + file.table().sqlName());
                counts.add(file.table().sqlName() + " " + rows);
                if (rows != file.rows()) {
                    wrong.add(file.table().sqlName() + ": " + rows + " rows, manifest " + file.rows());
                }
            }
            long orphans = count(scratch, "SELECT count(*) FROM hired_employees h"
                    + " LEFT JOIN departments d ON d.id = h.department_id LEFT JOIN jobs j ON j.id = h.job_id"
                    + " WHERE d.id IS NULL OR j.id IS NULL");
            if (orphans != 0) {
                wrong.add(orphans + " hires without their department or job");
            }
            long partial = perBatch(scratch).values().stream().filter(rows -> rows != ClusterBatches.ROWS).count();
            if (partial != 0) {
                wrong.add(partial + " batches restored in part");
            }
            if (manifest.table(Table.HIRED_EMPLOYEES).isEmpty()) {
                wrong.add("no hired_employees file");
            }
            add("the backup taken during the run restores", wrong.isEmpty(), id + ": " + (wrong.isEmpty()
                    ? String.join(", ", counts) + " rows as its manifest says, foreign keys hold, whole batches"
                    : String.join("; ", wrong)));
        }
    }

    private static Map<Integer, Long> perBatch(HikariDataSource dataSource) throws SQLException {
        Map<Integer, Long> perBatch = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (id - 1) / " + ClusterBatches.ROWS + ", count(*) FROM hired_employees GROUP BY 1")) {
            while (rs.next()) {
                perBatch.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return perBatch;
    }

    private static String canonical(JsonNode data) {
        JsonNode quarters = data.path("hiresByQuarter");
        JsonNode above = data.path("departmentsAboveMean");
        StringBuilder out = new StringBuilder();
        out.append(quarters.path("totalRows").asInt()).append(' ').append(quarters(quarters.path("totals"))).append(' ');
        for (JsonNode row : quarters.path("rows")) {
            out.append(row.path("departmentId").asInt()).append('/').append(row.path("jobId").asInt())
                    .append(quarters(row.path("hires"))).append(' ');
        }
        out.append("| ").append(above.path("mean").asDouble()).append(' ').append(above.path("departmentCount").asLong())
                .append(' ').append(above.path("totalHired").asLong());
        for (JsonNode department : above.path("departments")) {
            out.append(' ').append(department.path("id").asInt()).append('=').append(department.path("hired").asLong());
        }
        return out.toString();
    }

    private static String quarters(JsonNode q) {
        return "[" + q.path("q1").asLong() + "," + q.path("q2").asLong() + "," + q.path("q3").asLong() + ","
                + q.path("q4").asLong() + "]";
    }

    private static String canonical(HiresByQuarter quarters, DepartmentsAboveMean above) {
        StringBuilder out = new StringBuilder();
        out.append(quarters.totalRows()).append(' ').append(quarters(quarters.totals())).append(' ');
        for (HiresByQuarter.Row row : quarters.rows()) {
            out.append(row.departmentId()).append('/').append(row.jobId()).append(quarters(row.hires())).append(' ');
        }
        out.append("| ").append(above.mean()).append(' ').append(above.departmentCount()).append(' ').append(above.totalHired());
        for (DepartmentsAboveMean.Department department : above.departments()) {
            out.append(' ').append(department.id()).append('=').append(department.hired());
        }
        return out.toString();
    }

    private static String quarters(HiresByQuarter.Quarters q) {
        return "[" + q.q1() + "," + q.q2() + "," + q.q3() + "," + q.q4() + "]";
    }

    private static long count(HikariDataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String first(java.util.Collection<?> items) {
        return items.stream().limit(5).map(String::valueOf).collect(Collectors.joining(", ")) + (items.size() > 5 ? ", ..." : "");
    }

    private void add(String name, boolean passed, String detail) {
        checks.add(new Check(name, passed, detail));
    }
}
