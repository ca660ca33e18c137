package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.repository.LoadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Backup and restore against PostgreSQL's own tools, in one run on one database: the backup of all three
 * tables to Avro in a local archive against {@code pg_dump -Fc} of the same tables; the restore (replace,
 * one transaction) against {@code pg_restore --single-transaction --clean} of that dump. Both run against
 * a cluster this benchmark makes with a Debian server package (PostgreSQL 15 here), since pg_dump must be
 * of the server's version; it is stopped and deleted at the end. Usage:
 * {@code bench/run-archive [--employees N] [--runs R]}.
 */
public final class ArchiveBenchmark {

    /** The settings the figures were taken with (1 GB shared_buffers), durable as a real server. */
    private static final String[] SETTINGS = {"shared_buffers=1GB", "max_wal_size=2GB", "fsync=on",
        "synchronous_commit=on", "full_page_writes=on"};
    private static final String DATABASE = "archive_1";

    private ArchiveBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs options = BenchArgs.parse(args, 1_000_000, 3);
        run(options.employees(), options.runs());
    }

    static void run(long employees, int runs) throws Exception {
        Path work = WorkDirectory.deletedAtExit("archive");
        Path data = work.resolve("data");
        Path dump = work.resolve("tables.dump");
        System.out.printf("Generating %,d hired employees...%n", employees);
        DataGenerator.builder().employees(employees).seed(42).invalidRatio(0).build().writeTo(data);
        ArchiveStore archive = ArchiveStore.directory(work.resolve("archive"));
        double[] backup = new double[runs];
        double[] pgDump = new double[runs];
        double[] restore = new double[runs];
        double[] pgRestore = new double[runs];
        double[] command = new double[runs];
        double[] startUp = new double[runs];
        long avroBytes = 0;
        long rows = 0;
        String versions;
        Path bin = ExternalPostgres.debianBinaries();
        try (ExternalPostgres server = ExternalPostgres.start(bin, SETTINGS);
                HikariDataSource db = server.create("archive")) {
            versions = server.version("pg_dump") + ", " + server.version("pg_restore") + "; server "
                    + query(db, "SHOW server_version") + " (" + bin + ")";
            System.out.println("PostgreSQL: " + versions);
            System.out.println("settings: " + settings(db));
            HiringKit kit = HiringKit.builder().dataSource(db).archive(archive).build();
            kit.migrate();
            kit.repository().loadDirectory(data, LoadOptions.defaults());
            rows = kit.repository().count(Table.HIRED_EMPLOYEES);
            String[] tables = Arrays.stream(Table.values()).flatMap(t -> Stream.of("-t", t.sqlName()))
                    .toArray(String[]::new);
            for (int run = 0; run < runs; run++) {
                // Each measurement starts with no dirty buffers left by the one before.
                Backup[] made = new Backup[1];
                checkpoint(db);
                backup[run] = Timings.millis(() -> made[0] = kit.archiver().backup());
                avroBytes = made[0].tables().stream().mapToLong(Backup.TableFile::bytes).sum();
                checkpoint(db);
                pgDump[run] = Timings.millis(() -> {
                    server.client("pg_dump", DATABASE, concat(tables, "-Fc", "-f", dump.toString()));
                    return null;
                });
                checkpoint(db);
                restore[run] = Timings.millis(() -> kit.archiver().restore(made[0].id(), RestoreMode.REPLACE));
                checkpoint(db);
                pgRestore[run] = Timings.millis(() -> {
                    server.client("pg_restore", DATABASE, "--single-transaction", "--clean", dump.toString());
                    return null;
                });
                checkpoint(db);
                command[run] = Timings.millis(() -> hiring(server.jdbcUrl(DATABASE), work, "restore", "--backup",
                        made[0].id(), "--mode", "replace", "--yes"));
                startUp[run] = Timings.millis(() -> hiring(server.jdbcUrl(DATABASE), work, "backups"));
                System.out.printf(Locale.ROOT, "run %d: backup %.0f ms, pg_dump -Fc %.0f ms; restore %.0f ms,"
                        + " pg_restore %.0f ms, hiring restore %.0f ms%n", run + 1, backup[run], pgDump[run],
                        restore[run], pgRestore[run], command[run]);
            }
            if (kit.repository().count(Table.HIRED_EMPLOYEES) != rows) {
                throw new IllegalStateException("the restores did not give back " + rows + " hired employees");
            }
        }
        double b = Timings.median(backup);
        double d = Timings.median(pgDump);
        double r = Timings.median(restore);
        double pr = Timings.median(pgRestore);
        double c = Timings.median(command);
        double up = Timings.median(startUp);
        System.out.printf(Locale.ROOT, "%n%,d hired employees, with their departments and jobs; medians of %d runs%n",
                rows, runs);
        System.out.println("compared: " + versions);
        System.out.printf(Locale.ROOT, "backup (Avro, zstandard)                        %8.0f ms%n", b);
        System.out.printf(Locale.ROOT, "pg_dump -Fc of the three tables                 %8.0f ms%n", d);
        System.out.printf(Locale.ROOT, "restore (replace, one transaction, in process)  %8.0f ms%n", r);
        System.out.printf(Locale.ROOT, "hiring restore --yes (the command, end to end)  %8.0f ms%n", c);
        System.out.printf(Locale.ROOT, "  its start-up: hiring backups, end to end      %8.0f ms%n", up);
        System.out.printf(Locale.ROOT, "pg_restore --single-transaction --clean         %8.0f ms%n", pr);
        System.out.printf(Locale.ROOT, "backup / pg_dump = %.2f (0.34 before issue 15: keep it there)   restore / pg_restore = %.2f"
                + " (target <= 1.00); the command: %.2f%n", b / d, r / pr, c / pr);
        System.out.printf(Locale.ROOT, "sizes: Avro %.1f MiB, pg_dump -Fc %.1f MiB, CSV %.1f MiB%n", avroBytes / 1048576.0,
                Files.size(dump) / 1048576.0, Files.size(data.resolve("hired_employees.csv")) / 1048576.0);
    }

    /**
     * A {@code hiring} command as a user runs it: a new JVM (this one's class path), the database opened and
     * migrated, then the work ({@code backups}, a listing, stands for the start-up alone).
     */
    private static Object hiring(String jdbcUrl, Path work, String... command) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> line = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.hiringkit.server.cli.HiringCommand"));
        line.addAll(List.of(command));
        line.addAll(List.of("--db-url", jdbcUrl, "--data-dir", work.resolve("cli").toString(),
                "--archive", work.resolve("archive").toString()));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("hiring " + command[0] + " failed:\n" + out);
        }
        return null;
    }

    private static String[] concat(String[] first, String... more) {
        return Stream.concat(Arrays.stream(first), Arrays.stream(more)).toArray(String[]::new);
    }

    private static void checkpoint(HikariDataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    private static String query(HikariDataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The settings that decide write speed, to print beside the numbers. */
    private static String settings(HikariDataSource db) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, current_setting(name) FROM pg_settings WHERE name IN"
                        + " ('shared_buffers', 'max_wal_size', 'fsync', 'synchronous_commit', 'maintenance_work_mem',"
                        + " 'wal_level', 'max_parallel_maintenance_workers') ORDER BY name")) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('=').append(rs.getString(2)).append(' ');
            }
        }
        return out.toString().trim();
    }
}
