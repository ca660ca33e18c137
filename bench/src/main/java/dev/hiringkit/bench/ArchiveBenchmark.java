package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.generate.DataGenerator;
import dev.hiringkit.repository.LoadOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Locale;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Backup and restore against PostgreSQL's own COPY, in one run: the backup of all three tables to Avro
 * in a local archive against {@code COPY ... TO STDOUT (FORMAT binary)} of the same tables into files;
 * the restore (replace) against {@code COPY FROM STDIN (FORMAT binary)} of those files into empty
 * tables with the same keys and index. Usage: {@code bench/run-archive [--employees N] [--runs R]}.
 */
public final class ArchiveBenchmark {

    private ArchiveBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs options = BenchArgs.parse(args, 1_000_000, 3);
        run(options.employees(), options.runs());
    }

    static void run(long employees, int runs) throws Exception {
        Path work = Scratch.directory("archive");
        Path data = work.resolve("data");
        Path copies = Files.createDirectories(work.resolve("copy-out"));
        System.out.printf("Generating %,d hired employees...%n", employees);
        DataGenerator.builder().employees(employees).seed(42).invalidRatio(0).build().writeTo(data);
        ArchiveStore archive = ArchiveStore.directory(work.resolve("archive"));
        double[] backup = new double[runs];
        double[] copyOut = new double[runs];
        double[] restore = new double[runs];
        double[] copyIn = new double[runs];
        long avroBytes = 0;
        long rows = 0;
        try (BenchDatabase server = new BenchDatabase(work.resolve("postgres"));
                HikariDataSource db = server.create("archive")) {
            System.out.println("PostgreSQL: " + server.settings());
            HiringKit kit = HiringKit.builder().dataSource(db).archive(archive).build();
            kit.migrate();
            kit.repository().loadDirectory(data, LoadOptions.defaults());
            rows = kit.repository().count(Table.HIRED_EMPLOYEES);
            for (int run = 0; run < runs; run++) {
                Backup[] made = new Backup[1];
                backup[run] = Stats.millis(() -> made[0] = kit.archiver().backup());
                avroBytes = made[0].tables().stream().mapToLong(Backup.TableFile::bytes).sum();
                copyOut[run] = Stats.millis(() -> copyOut(db, copies));
                restore[run] = Stats.millis(() -> kit.archiver().restore(made[0].id(), RestoreMode.REPLACE));
                copyIn[run] = copyIntoConstrainedTables(server, archive, copies);
                System.out.printf(Locale.ROOT, "run %d: backup %.0f ms, COPY out %.0f ms; restore %.0f ms, COPY in %.0f ms%n",
                        run + 1, backup[run], copyOut[run], restore[run], copyIn[run]);
            }
        }
        long copyBytes = 0;
        for (Table table : Table.values()) {
            copyBytes += Files.size(copies.resolve(table.sqlName() + ".bin"));
        }
        double b = Stats.median(backup);
        double co = Stats.median(copyOut);
        double r = Stats.median(restore);
        double ci = Stats.median(copyIn);
        System.out.printf(Locale.ROOT, "%n%,d hired employees, with their departments and jobs; medians of %d runs%n",
                rows, runs);
        System.out.printf(Locale.ROOT, "backup (Avro, zstandard)                    %8.0f ms%n", b);
        System.out.printf(Locale.ROOT, "COPY TO STDOUT (FORMAT binary) into files   %8.0f ms%n", co);
        System.out.printf(Locale.ROOT, "restore (replace, one transaction)          %8.0f ms%n", r);
        System.out.printf(Locale.ROOT, "COPY FROM STDIN (binary), PK + FKs + index  %8.0f ms%n", ci);
        System.out.printf(Locale.ROOT, "backup / COPY out = %.2f (target <= 2.00)   restore / COPY in = %.2f (target <= 1.00)%n",
                b / co, r / ci);
        System.out.printf(Locale.ROOT, "sizes: Avro %.1f MiB, binary COPY %.1f MiB, CSV %.1f MiB%n", avroBytes / 1048576.0,
                copyBytes / 1048576.0, Files.size(data.resolve("hired_employees.csv")) / 1048576.0);
    }

    private static Object copyOut(HikariDataSource db, Path dir) throws Exception {
        try (Connection connection = db.getConnection()) {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (Table table : Table.values()) {
                try (OutputStream out = Files.newOutputStream(dir.resolve(table.sqlName() + ".bin"))) {
                    copy.copyOut("COPY " + table.sqlName() + " TO STDOUT (FORMAT binary)", out);
                }
            }
        }
        return null;
    }

    /** COPY of the binary files into a fresh database whose tables HiringKit created: same keys, same index. */
    private static double copyIntoConstrainedTables(BenchDatabase server, ArchiveStore archive, Path dir) throws Exception {
        try (HikariDataSource db = server.create("copy_in")) {
            HiringKit.builder().dataSource(db).archive(archive).build().migrate();
            try (Connection connection = db.getConnection()) {
                CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
                return Stats.millis(() -> {
                    for (Table table : Table.values()) {
                        try (InputStream in = Files.newInputStream(dir.resolve(table.sqlName() + ".bin"))) {
                            copy.copyIn("COPY " + table.sqlName() + " FROM STDIN (FORMAT binary)", in);
                        }
                    }
                    return null;
                });
            }
        }
    }
}
