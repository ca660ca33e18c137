package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.generate.DataGenerator;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import org.postgresql.PGConnection;

/**
 * The validated historical load of hired_employees against PostgreSQL's own COPY, in one run:
 * (a) HiringKit's load of the generated file, rejects and all; (b) COPY of the rows it accepted into
 * a table with the primary key and both foreign keys; (c) the same into a table with only the
 * primary key. Usage: {@code bench/run-load [--employees N] [--runs R]}.
 */
public final class LoadBenchmark {

    private static final String PARENTS = """
            CREATE TABLE departments (id integer PRIMARY KEY, department text NOT NULL);
            CREATE TABLE jobs (id integer PRIMARY KEY, job text NOT NULL);
            """;
    private static final String WITH_KEYS = """
            CREATE TABLE hired_employees (id integer PRIMARY KEY, name text NOT NULL, datetime timestamptz NOT NULL,
                department_id integer NOT NULL REFERENCES departments (id), job_id integer NOT NULL REFERENCES jobs (id));
            """;
    private static final String PRIMARY_KEY_ONLY = """
            CREATE TABLE hired_employees (id integer PRIMARY KEY, name text NOT NULL, datetime timestamptz NOT NULL,
                department_id integer NOT NULL, job_id integer NOT NULL);
            """;

    private LoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs options = BenchArgs.parse(args, 1_000_000, 3);
        run(options.employees(), options.runs());
    }

    static void run(long employees, int runs) throws Exception {
        Path work = Scratch.directory("load");
        Path data = work.resolve("data");
        System.out.printf("Generating %,d hired employees (2%% with a defect)...%n", employees);
        DataGenerator.builder().employees(employees).seed(42).invalidRatio(0.02).build().writeTo(data);
        Path accepted = work.resolve("accepted.csv");
        double[] a = new double[runs];
        double[] b = new double[runs];
        double[] c = new double[runs];
        long peakHeap = 0;
        long inserted = 0;
        try (BenchDatabase server = new BenchDatabase(work.resolve("postgres"))) {
            System.out.println("PostgreSQL: " + server.settings());
            for (int run = 0; run < runs; run++) {
                try (HikariDataSource db = server.create("validated")) {
                    HiringKit kit = HiringKit.builder().dataSource(db)
                            .archive(ArchiveStore.directory(work.resolve("archive"))).build();
                    kit.migrate();
                    kit.repository().load(Table.DEPARTMENTS, data.resolve("departments.csv"), LoadOptions.defaults());
                    kit.repository().load(Table.JOBS, data.resolve("jobs.csv"), LoadOptions.defaults());
                    System.gc();
                    resetPeakHeap();
                    long[] result = new long[1];
                    a[run] = Stats.millis(() -> {
                        LoadResult r = kit.repository().load(Table.HIRED_EMPLOYEES, data.resolve("hired_employees.csv"),
                                LoadOptions.defaults());
                        result[0] = r.inserted();
                        return r;
                    });
                    peakHeap = Math.max(peakHeap, peakHeap());
                    inserted = result[0];
                    checkKeysGuaranteed(db);
                    if (run == 0) {
                        exportAccepted(db, accepted);
                    }
                }
                b[run] = copyInto(server, WITH_KEYS, data, accepted);
                c[run] = copyInto(server, PRIMARY_KEY_ONLY, data, accepted);
                System.out.printf(Locale.ROOT, "run %d: (a) %.0f ms  (b) %.0f ms  (c) %.0f ms%n", run + 1, a[run], b[run],
                        c[run]);
            }
        }
        double ma = Stats.median(a);
        double mb = Stats.median(b);
        double mc = Stats.median(c);
        System.out.printf(Locale.ROOT, "%n%,d rows read, %,d inserted; medians of %d runs%n", employees, inserted, runs);
        System.out.printf(Locale.ROOT, "(a) validated load (HiringKit)        %8.0f ms  %,9.0f rows/s%n", ma, employees / ma * 1000);
        System.out.printf(Locale.ROOT, "(b) COPY, primary key + foreign keys  %8.0f ms  %,9.0f rows/s%n", mb, inserted / mb * 1000);
        System.out.printf(Locale.ROOT, "(c) COPY, primary key only            %8.0f ms  %,9.0f rows/s%n", mc, inserted / mc * 1000);
        System.out.printf(Locale.ROOT, "a/b = %.2f (target <= 0.50)   a/c = %.2f (target <= 2.00)%n", ma / mb, ma / mc);
        System.out.printf(Locale.ROOT, "peak heap during (a): %.0f MiB (max heap %.0f MiB)%n", peakHeap / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0);
    }

    /** Times COPY of the accepted rows into a fresh database with the given hired_employees table. */
    private static double copyInto(BenchDatabase server, String table, Path data, Path accepted) throws Exception {
        try (HikariDataSource db = server.create("copy");
                Connection connection = db.getConnection();
                Statement s = connection.createStatement()) {
            s.execute(PARENTS + table);
            var copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (String parent : new String[] {"departments", "jobs"}) {
                try (InputStream in = Files.newInputStream(data.resolve(parent + ".csv"))) {
                    copy.copyIn("COPY " + parent + " FROM STDIN (FORMAT csv)", in);
                }
            }
            return Stats.millis(() -> {
                try (InputStream in = Files.newInputStream(accepted)) {
                    return copy.copyIn("COPY hired_employees FROM STDIN (FORMAT csv)", in);
                }
            });
        }
    }

    private static void exportAccepted(HikariDataSource db, Path file) throws Exception {
        try (Connection connection = db.getConnection(); OutputStream out = Files.newOutputStream(file)) {
            connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY hired_employees TO STDOUT (FORMAT csv)", out);
        }
    }

    /** The load must end with both foreign keys in place and validated. */
    private static void checkKeysGuaranteed(HikariDataSource db) throws SQLException {
        try (Connection connection = db.getConnection(); Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                        + " AND contype = 'f' AND convalidated")) {
            rs.next();
            if (rs.getInt(1) != 2) {
                throw new IllegalStateException("after the load, hired_employees has " + rs.getInt(1)
                        + " validated foreign keys instead of 2");
            }
        }
    }

    private static void resetPeakHeap() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
    }
}
