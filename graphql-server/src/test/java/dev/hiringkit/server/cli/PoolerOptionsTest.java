package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestPgBouncer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line through PgBouncer in transaction mode, with {@code --db-pooler transaction} and a
 * URL that says nothing about prepared statements: load, back up, empty, restore.
 */
class PoolerOptionsTest {

    @TempDir
    Path archive;

    @Test
    void loadBackupAndRestoreThroughPgBouncerWithDbPoolerTransaction() throws Exception {
        try (HikariDataSource direct = TestDatabase.newDatabase();
                TestPgBouncer bouncer = TestPgBouncer.start(PoolerOptionsTest.class, direct.getPoolName())) {
            CliRunner cli = new CliRunner(bouncer.plainJdbcUrl(), archive.toString(), "--db-pooler", "transaction");
            CliRunner.Run load = cli.run("load", "--dir", RealData.dir().toString());
            assertEquals(0, load.exitCode(), load.err());
            CliRunner.Run again = cli.run("load", "--dir", RealData.dir().toString());
            assertEquals(0, again.exitCode(), again.err());
            CliRunner.Run backup = cli.run("backup");
            assertEquals(0, backup.exitCode(), backup.err());
            String id = backup.out().lines().findFirst().orElseThrow().split(" ")[1];
            try (Connection c = direct.getConnection(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE hired_employees, jobs, departments");
            }
            CliRunner.Run restore = cli.run("restore", "--backup", id);
            assertEquals(0, restore.exitCode(), restore.err());
            try (Connection c = direct.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM hired_employees")) {
                rs.next();
                assertEquals(1929, rs.getLong(1));
            }
        }
    }

    @Test
    void anUnknownPoolerIsRefusedInOneLine() {
        try (HikariDataSource direct = TestDatabase.newDatabase()) {
            CliRunner.Run run = new CliRunner(CliRunner.urlWithCredentials(direct), archive.toString(), "--db-pooler",
                    "statement").run("backups");
            assertEquals(1, run.exitCode());
            assertEquals("error: INVALID_ARGUMENT: --db-pooler is none or transaction, not 'statement'", run.err().strip());
        }
    }
}
