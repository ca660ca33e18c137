package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testdata.DataGenerator;
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
 * The validated historical load of hired_employees against PostgreSQL's own best path to the same end
 * state, in one run: (a) HiringKit's load of the generated file, rejects, validation and rejection log
 * and all, ending with the primary key, both foreign keys (validated) and the report index; (b) the
 * ceiling: COPY (CSV) of the rows (a) accepted into the bare table, then the primary key, the report
 * index and the two foreign keys added, as a restore or a careful DBA would. Both run on the same server,
 * each in a fresh database; the runs alternate which goes first. Usage:
 * {@code bench/run-load [--employees N] [--runs R]}.
 */
public final class LoadBenchmark {

    private static final String PARENTS = """
            CREATE TABLE departments (id integer PRIMARY KEY CHECK (id > 0), department text NOT NULL);
            CREATE TABLE jobs (id integer PRIMARY KEY CHECK (id > 0), job text NOT NULL);
            """;
    /** hired_employees as migration V1 makes it, less its keys and index. */
    private static final String BARE = """
            CREATE TABLE hired_employees (id integer NOT NULL CHECK (id > 0), name text NOT NULL,
                datetime timestamptz NOT NULL, department_id integer NOT NULL, job_id integer NOT NULL);
            """;
    /** What the ceiling builds after its COPY, in the order measured cheapest; as HiringKit, with 256 MB to sort in. */
    private static final String[] KEYS = {
        "SET maintenance_work_mem = '256MB'",
        "ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_pkey PRIMARY KEY (id)",
        "CREATE INDEX hired_employees_datetime_idx ON hired_employees (datetime) INCLUDE (department_id, job_id)",
        "ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_department_fk FOREIGN KEY (department_id)"
                + " REFERENCES departments (id)",
        "ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id)",
    };

    private LoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs options = BenchArgs.parse(args, 1_000_000, 3);
        run(options.employees(), options.runs());
    }

    /** One measurement of the ceiling: its COPY and its keys, in milliseconds, and the server's CPU time. */
    private record Ceiling(double copy, double keys, double serverCpu) {
        double total() {
            return copy + keys;
        }
    }

    static void run(long employees, int runs) throws Exception {
        Path work = WorkDirectory.deletedAtExit("load");
        Path data = work.resolve("data");
        System.out.printf("Generating %,d hired employees (2%% with a defect)...%n", employees);
        DataGenerator.builder().employees(employees).seed(42).invalidRatio(0.02).build().writeTo(data);
        Path accepted = work.resolve("accepted.csv");
        double[] a = new double[runs];
        double[] b = new double[runs];
        double[] bCopy = new double[runs];
        double[] bKeys = new double[runs];
        double[] aCpu = new double[runs];
        double[] bCpu = new double[runs];
        double[] cpu = new double[2];
        double[] loaderCpu = new double[runs];
        long[] peakHeap = new long[1];
        long[] inserted = new long[1];
        try (BenchDatabase server = new BenchDatabase(work.resolve("postgres"))) {
            System.out.println("PostgreSQL: " + server.settings());
            // The ceiling copies the rows the load accepted: one load first, untimed, to know them.
            load(server, work, data, accepted, inserted, peakHeap, cpu);
            for (int run = 0; run < runs; run++) {
                Ceiling ceiling;
                if (run % 2 == 0) {
                    a[run] = load(server, work, data, null, inserted, peakHeap, cpu);
                    aCpu[run] = cpu[0];
                    loaderCpu[run] = cpu[1];
                    ceiling = ceiling(server, data, accepted);
                } else {
                    ceiling = ceiling(server, data, accepted);
                    a[run] = load(server, work, data, null, inserted, peakHeap, cpu);
                    aCpu[run] = cpu[0];
                    loaderCpu[run] = cpu[1];
                }
                bCpu[run] = ceiling.serverCpu();
                b[run] = ceiling.total();
                bCopy[run] = ceiling.copy();
                bKeys[run] = ceiling.keys();
                System.out.printf(Locale.ROOT, "run %d: (a) %.0f ms  (b) %.0f ms (COPY %.0f + keys %.0f)  a/b = %.2f"
                        + "   server CPU: (a) %.0f ms  (b) %.0f ms%n",
                        run + 1, a[run], b[run], bCopy[run], bKeys[run], a[run] / b[run], aCpu[run], bCpu[run]);
            }
        }
        double ma = Timings.median(a);
        double mb = Timings.median(b);
        System.out.printf(Locale.ROOT, "%n%,d rows read, %,d inserted; medians of %d runs%n", employees, inserted[0], runs);
        System.out.printf(Locale.ROOT, "(a) validated load (HiringKit)                       %8.0f ms  %,9.0f rows/s%n",
                ma, employees / ma * 1000);
        System.out.printf(Locale.ROOT, "(b) COPY into the bare table, then PK + index + FKs  %8.0f ms  %,9.0f rows/s"
                + "  (COPY %.0f ms, keys %.0f ms)%n", mb, inserted[0] / mb * 1000, Timings.median(bCopy), Timings.median(bKeys));
        System.out.printf(Locale.ROOT, "a/b = %.2f (target <= 1.00)%n", ma / mb);
        if (Timings.median(bCpu) > 0) {
            System.out.printf(Locale.ROOT, "PostgreSQL's CPU time: (a) %.0f ms, (b) %.0f ms, a/b = %.2f (the work each"
                    + " asks of the server; steadier than wall time on a busy machine)%n", Timings.median(aCpu),
                    Timings.median(bCpu), Timings.median(aCpu) / Timings.median(bCpu));
        }
        System.out.printf(Locale.ROOT, "the loader's own CPU time during (a): %.0f ms (reading, checking, encoding; it"
                + " overlaps the server's through the socket)%n", Timings.median(loaderCpu));
        System.out.printf(Locale.ROOT, "peak heap during (a): %.0f MiB (max heap %.0f MiB)%n", peakHeap[0] / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0);
    }

    /**
     * HiringKit's load of the generated files into a fresh database, timing hired_employees; with
     * {@code export}, also writes the rows it accepted there.
     */
    private static double load(BenchDatabase server, Path work, Path data, Path export, long[] inserted,
            long[] peakHeap, double[] cpu) throws Exception {
        try (HikariDataSource db = server.create("validated")) {
            HiringKit kit = HiringKit.builder().dataSource(db)
                    .archive(ArchiveStore.directory(work.resolve("archive"))).build();
            kit.migrate();
            kit.repository().load(Table.DEPARTMENTS, data.resolve("departments.csv"), LoadOptions.defaults());
            kit.repository().load(Table.JOBS, data.resolve("jobs.csv"), LoadOptions.defaults());
            System.gc();
            resetPeakHeap();
            long cpuBefore = server.cpuMillis();
            long loaderBefore = loaderCpuNanos();
            double millis = Timings.millis(() -> {
                LoadResult r = kit.repository().load(Table.HIRED_EMPLOYEES, data.resolve("hired_employees.csv"),
                        LoadOptions.defaults());
                inserted[0] = r.inserted();
                return r;
            });
            cpu[0] = server.cpuMillis() - cpuBefore;
            cpu[1] = (loaderCpuNanos() - loaderBefore) / 1e6;
            peakHeap[0] = Math.max(peakHeap[0], peakHeap());
            checkKeysGuaranteed(db);
            if (export != null) {
                exportAccepted(db, export);
            }
            return millis;
        }
    }

    /** Times COPY of the accepted rows into the bare table of a fresh database, then building its keys. */
    private static Ceiling ceiling(BenchDatabase server, Path data, Path accepted) throws Exception {
        try (HikariDataSource db = server.create("ceiling");
                Connection connection = db.getConnection();
                Statement s = connection.createStatement()) {
            s.execute(PARENTS + BARE);
            var copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (String parent : new String[] {"departments", "jobs"}) {
                try (InputStream in = Files.newInputStream(data.resolve(parent + ".csv"))) {
                    copy.copyIn("COPY " + parent + " FROM STDIN (FORMAT csv)", in);
                }
            }
            long cpuBefore = server.cpuMillis();
            double copyMillis = Timings.millis(() -> {
                try (InputStream in = Files.newInputStream(accepted)) {
                    return copy.copyIn("COPY hired_employees FROM STDIN (FORMAT csv)", in);
                }
            });
            double keysMillis = Timings.millis(() -> {
                for (String step : KEYS) {
                    s.execute(step);
                }
                return null;
            });
            return new Ceiling(copyMillis, keysMillis, server.cpuMillis() - cpuBefore);
        }
    }

    private static void exportAccepted(HikariDataSource db, Path file) throws Exception {
        try (Connection connection = db.getConnection(); OutputStream out = Files.newOutputStream(file)) {
            connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY hired_employees TO STDOUT (FORMAT csv)", out);
        }
    }

    /**
     * The load must end as the ceiling does: the primary key, both foreign keys validated, the report
     * index, and no bulk load's guard left (a load into the empty table runs without the primary key).
     */
    private static void checkKeysGuaranteed(HikariDataSource db) throws SQLException {
        try (Connection connection = db.getConnection(); Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT"
                        + " (SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                        + "   AND contype = 'p'),"
                        + " (SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                        + "   AND contype = 'f' AND convalidated),"
                        + " (SELECT count(*) FROM pg_indexes WHERE indexname = 'hired_employees_datetime_idx'),"
                        + " (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'hired_employees'::regclass"
                        + "   AND NOT tgisinternal)")) {
            rs.next();
            if (rs.getInt(1) != 1 || rs.getInt(2) != 2 || rs.getInt(3) != 1 || rs.getInt(4) != 0) {
                throw new IllegalStateException("after the load, hired_employees has " + rs.getInt(1)
                        + " primary key(s), " + rs.getInt(2) + " validated foreign keys, " + rs.getInt(3)
                        + " report index(es) and " + rs.getInt(4) + " trigger(s) instead of 1, 2, 1 and 0");
            }
        }
    }

    /** This JVM's CPU time (all threads, the garbage collector's included); 0 where the JVM does not say. */
    private static long loaderCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
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
