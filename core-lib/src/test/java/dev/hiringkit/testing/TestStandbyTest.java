package dev.hiringkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standby fixture replicates: what the primary commits appears on the standby, also after the standby was stopped. */
class TestStandbyTest {

    @TempDir
    Path directory;

    @Test
    void theStandbyReplaysWhatThePrimaryCommitsAndCatchesUpAfterAStop() throws Exception {
        try (RestartablePostgres primary = RestartablePostgres.start(directory.resolve("primary"))) {
            String database = primary.newDatabase();
            primary.execute(database, "CREATE TABLE t (n int)");
            primary.execute(database, "INSERT INTO t SELECT generate_series(1, 1000)");
            try (TestStandby standby = TestStandby.start(primary.jdbcUrl(database), directory.resolve("standby"))) {
                standby.awaitCatchUp(Duration.ofSeconds(30));
                assertEquals("t", query(standby.jdbcUrl(), "SELECT pg_is_in_recovery()"));
                assertEquals("1000", query(standby.jdbcUrl(), "SELECT count(*) FROM t"));
                assertThrows(SQLException.class, () -> query(standby.jdbcUrl(), "INSERT INTO t VALUES (0) RETURNING n"));

                standby.stop();
                primary.execute(database, "INSERT INTO t SELECT generate_series(1001, 3000)");
                standby.start();
                standby.awaitCatchUp(Duration.ofSeconds(30));
                assertEquals("3000", query(standby.jdbcUrl(), "SELECT count(*) FROM t"));

                standby.pauseReplay();
                primary.execute(database, "DELETE FROM t");
                assertEquals("3000", query(standby.jdbcUrl(), "SELECT count(*) FROM t"));
                standby.resumeReplay();
                standby.awaitCatchUp(Duration.ofSeconds(30));
                assertEquals("0", query(standby.jdbcUrl(), "SELECT count(*) FROM t"));
            }
            assertEquals("0", query(primary.jdbcUrl("postgres"), "SELECT count(*) FROM pg_replication_slots"));
        }
    }

    private static String query(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
