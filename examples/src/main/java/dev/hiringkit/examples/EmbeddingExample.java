package dev.hiringkit.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Embedding hiring-core in an application: load the historical files, then take a batch of new rows.
 * Run with a JDBC URL, a directory holding the three CSV files, and an archive directory.
 */
public final class EmbeddingExample {

    private EmbeddingExample() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: EmbeddingExample JDBC_URL CSV_DIR ARCHIVE_DIR");
            System.exit(2);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            run(dataSource, Path.of(args[1]), Path.of(args[2]));
        }
    }

    static void run(HikariDataSource dataSource, Path csvDir, Path archiveDir) {
        HiringKit kit = HiringKit.builder()
                .dataSource(dataSource)
                .archive(ArchiveStore.directory(archiveDir))
                .build();
        kit.migrate();

        // Historical load: departments, jobs, then hired employees; bad rows are logged, not inserted.
        LoadOptions options = LoadOptions.builder()
                .progress((bytes, total, rows) -> System.out.printf("  %d rows read%n", rows))
                .build();
        for (LoadResult result : kit.repository().loadDirectory(csvDir, options)) {
            System.out.printf("%s: %d inserted, %d rejected %s%n", result.table().sqlName(), result.inserted(),
                    result.rejected(), result.rejectedByCode());
        }

        // New data: one batch for several tables, parents first, in one transaction.
        BatchResult batch = kit.repository().insert(Batch.builder()
                .add(new Department(1001, "Platform"))
                .add(new Job(1001, "Site Reliability Engineer"))
                .addAll(List.of(new HiredEmployee(100_001, "Ada Lovelace", Instant.parse("2021-03-31T23:59:59Z"), 1001, 1001),
                        new HiredEmployee(100_002, "", Instant.parse("2021-04-01T00:00:00Z"), 1001, 1001)))
                .build());
        System.out.printf("batch %s: %d inserted, %d rejected%n", batch.batchId(), batch.inserted(), batch.rejected());
        batch.tables().forEach((table, outcome) -> outcome.rejected().forEach(r ->
                System.out.printf("  %s row %d: %s%n", table.sqlName(), r.index(), r.reasons())));

        System.out.printf("hired_employees now holds %d rows%n", kit.repository().count(Table.HIRED_EMPLOYEES));

        // Backup and restore: Avro files in the archive, from one snapshot; a restore is all or nothing.
        Backup backup = kit.archiver().backup();
        backup.tables().forEach(f -> System.out.printf("backed up %s: %d rows, %d bytes%n", f.table().sqlName(),
                f.rows(), f.bytes()));
        RestoreResult restored = kit.archiver().restore(backup.id(), RestoreMode.APPEND, Table.JOBS);
        System.out.printf("restore of jobs from %s: %d already there%n", restored.backupId(),
                restored.tables().get(0).skipped());
    }
}
