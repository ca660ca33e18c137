package dev.hiringkit.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.internal.embedded.EmbeddedDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The benchmarks' PostgreSQL: one embedded server per run, a fresh database per measurement. */
final class BenchDatabase implements AutoCloseable {

    private final EmbeddedDatabase server;
    private int databases;

    BenchDatabase(Path dir) throws IOException {
        this.server = EmbeddedDatabase.start(dir);
    }

    /** A new empty database with a small pool. */
    HikariDataSource create(String prefix) throws SQLException {
        String name = prefix + "_" + (++databases);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl().replace("/postgres?", "/" + name + "?"));
        config.setMaximumPoolSize(4);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    /** The settings that decide write speed, to print beside the numbers. */
    String settings() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name IN"
                        + " ('server_version', 'shared_buffers', 'max_wal_size', 'fsync', 'synchronous_commit',"
                        + " 'maintenance_work_mem', 'wal_level') ORDER BY name")) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('=').append(rs.getString(2)).append(rs.getString(3)).append(' ');
            }
        }
        return out.toString().trim();
    }

    /**
     * CPU time the server's processes have used so far, in milliseconds (Linux; -1 elsewhere): the
     * postmaster's and its live processes', plus what its exited children (backends, parallel workers)
     * used. On a busy machine wall times vary with what else runs; the work done varies far less.
     */
    long cpuMillis() {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(server.dataDirectory().resolve("postmaster.pid")).get(0).trim());
            long[] own = ticks(postmaster);
            long total = own[0] + own[1];
            for (ProcessHandle child : (Iterable<ProcessHandle>) ProcessHandle.of(postmaster).orElseThrow().descendants()::iterator) {
                total += ticks(child.pid())[0];
            }
            return total * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {utime + stime, cutime + cstime} of a process, in clock ticks; zeros for one that has gone. */
    private static long[] ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
        } catch (IOException e) {
            return new long[2];
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
