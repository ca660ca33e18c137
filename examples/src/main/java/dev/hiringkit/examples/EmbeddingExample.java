package dev.hiringkit.examples;

import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.reports.HiresByQuarter;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Embedding hiring-core: load the historical CSV files, take a batch of new rows, read a report, back up.
 * Run with the directory of departments.csv, jobs.csv and hired_employees.csv, and a data directory where
 * an embedded PostgreSQL keeps its files across runs (the archive goes there too). With a PostgreSQL of
 * your own, build the kit with {@code .jdbcUrl(url, user, password)} instead of {@code .embedded(dir)}.
 */
public final class EmbeddingExample {

    private EmbeddingExample() {
    }

    public static void main(String[] args) {
        Path csvDir = Path.of(args.length > 0 ? args[0] : "data");
        Path dataDir = Path.of(args.length > 1 ? args[1] : "hiring-data");
        try (HiringKit kit = HiringKit.builder().embedded(dataDir).build()) {
            kit.migrate(); // creates or updates the schema
            run(kit, csvDir);
        }
    }

    static void run(HiringKit kit, Path csvDir) {
        // Historical load: departments, jobs, then hired employees; bad rows are logged, not inserted.
        for (LoadResult result : kit.repository().loadDirectory(csvDir, LoadOptions.defaults())) {
            System.out.printf("%s: %d inserted, %d rejected %s%n", result.table().sqlName(), result.inserted(),
                    result.rejected(), result.rejectedByCode());
        }

        // New rows: one batch for several tables, parents first, in one transaction (1..1000 rows per table).
        BatchResult batch = kit.repository().insert(Batch.builder()
                .add(new Department(1001, "Platform"))
                .add(new Job(1001, "Site Reliability Engineer"))
                .addAll(List.of(new HiredEmployee(100_001, "Ada Lovelace", Instant.parse("2021-03-31T23:59:59Z"), 1001, 1001),
                        new HiredEmployee(100_002, "", Instant.parse("2021-04-01T00:00:00Z"), 1001, 1001)))
                .build());
        System.out.printf("batch: %d inserted, %d rejected%n", batch.inserted(), batch.rejected());
        batch.tables().forEach((table, outcome) -> outcome.rejected().forEach(r ->
                System.out.printf("  %s row %d: %s%n", table.sqlName(), r.index(), r.reasons())));
        System.out.printf("hired_employees holds %d rows%n", kit.repository().count(Table.HIRED_EMPLOYEES));

        HiresByQuarter report = kit.reports().hiresByQuarter(2021);
        System.out.printf("2021: %d hires in %d department and job pairs%n", report.totals().total(), report.totalRows());

        // Backup and restore: Avro files in the archive, from one snapshot; a restore is all or nothing.
        Backup backup = kit.archiver().backup();
        backup.tables().forEach(f -> System.out.printf("backed up %s: %d rows%n", f.table().sqlName(), f.rows()));
        RestoreResult restored = kit.archiver().restore(backup.id(), RestoreMode.APPEND, Table.JOBS);
        System.out.printf("restore of jobs: %d already there%n", restored.tables().get(0).skipped());
    }
}
