package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testing.ChildJvm;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * A load of hired employees in a process of its own, for tests to kill half-way (SIGKILL): run as a main
 * with JDBC_URL FILE ARCHIVE CHUNK_SIZE, or through {@link #killHalfWay}.
 */
public final class CrashLoadMain {

    private CrashLoadMain() {
    }

    public static void main(String[] args) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(Path.of(args[2])))
                    .build();
            kit.repository().load(Table.HIRED_EMPLOYEES, Path.of(args[1]),
                    LoadOptions.builder().chunkSize(Integer.parseInt(args[3])).build());
        }
    }

    /**
     * Loads {@code employees} through {@code jdbcUrl} in another JVM, in chunks of {@code chunkSize}, and
     * kills it once {@code watch} shows at least {@code committed} records of it committed. The child's
     * output goes to {@code dir}/child.log; its lease is {@linkplain ChildJvm#SHORT_LEASE short}, so the
     * load run after it does not wait 20 s for the table.
     */
    public static void killHalfWay(String jdbcUrl, DataSource watch, Path employees, Path dir, int chunkSize,
            long committed) throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(ChildJvm.SHORT_LEASE, CrashLoadMain.class, jdbcUrl,
                employees.toString(), dir.resolve("child-archive").toString(), Integer.toString(chunkSize)))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        try {
            while (recordsDone(watch) < committed) {
                assertTrue(child.isAlive(), "the child load ended before it could be killed: see child.log");
                assertTrue(Instant.now().isBefore(deadline), "the child load made no progress");
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(child.exitValue() != 0, "the child was killed, not finished");
    }

    private static long recordsDone(DataSource watch) throws SQLException {
        try (Connection c = watch.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT coalesce(max(records_done), 0) FROM loads WHERE table_name = 'hired_employees'"
                        + " AND status = 'RUNNING'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
