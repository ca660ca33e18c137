package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestS3;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * hiring backup, backups and restore: back up, empty the tables, restore, and get the same rows, with
 * the archive in a directory and in S3.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"directory", "s3"})
class ArchiveCommandsTest {

    @Parameter
    String archiveKind;

    @TempDir
    Path archiveDir;

    @Test
    void backupThenEmptyThenRestoreGivesBackEveryRow() throws Exception {
        try (HikariDataSource dataSource = TestDatabase.newDatabase(); AutoCloseable credentials = TestS3.asDefaultCredentials()) {
            CliRunner cli = archiveKind.equals("s3")
                    ? new CliRunner(CliRunner.urlWithCredentials(dataSource), "s3://" + TestS3.newBucket() + "/archive/",
                            "--s3-endpoint", TestS3.endpoint().toString())
                    : new CliRunner(CliRunner.urlWithCredentials(dataSource), archiveDir.toString());
            assertEquals(0, cli.run("load", "--dir", RealData.dir().toString()).exitCode());
            List<String> before = rows(dataSource);

            CliRunner.Run none = cli.run("backups");
            assertTrue(none.out().startsWith("No backups"), none.out());
            CliRunner.Run backup = cli.run("backup");
            assertEquals(0, backup.exitCode(), backup.err());
            String id = backup.out().lines().findFirst().orElseThrow().split(" ")[1];
            assertTrue(backup.out().lines().anyMatch(l -> l.matches("hired_employees\\s+1929\\s+\\d+\\s+[0-9a-f]{64}")),
                    backup.out());
            CliRunner.Run list = cli.run("backups");
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(id) && l.contains("hired_employees (1929)")), list.out());

            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE hired_employees, jobs, departments");
            }
            CliRunner.Run restore = cli.run("restore", "--backup", id);
            assertEquals(0, restore.exitCode(), restore.err());
            assertTrue(restore.out().lines().anyMatch(l -> l.matches("hired_employees\\s+1929\\s+0\\s+0\\s+1929\\s+0")),
                    restore.out());
            assertEquals(before, rows(dataSource));

            CliRunner.Run append = cli.run("restore", "--table", "jobs", "--mode", "append");
            assertEquals(0, append.exitCode(), append.err());
            assertTrue(append.out().contains("Skipped ids of jobs (already there): 1 2 3"), append.out());

            CliRunner.Run bad = cli.run("restore", "--backup", "20200101T000000000Z");
            assertEquals(1, bad.exitCode());
            assertTrue(bad.err().startsWith("error: BACKUP_NOT_FOUND: No complete backup 20200101T000000000Z"), bad.err());
        }
    }

    private static List<String> rows(HikariDataSource dataSource) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 'd' || t::text FROM departments t UNION ALL SELECT 'j' || t::text"
                        + " FROM jobs t UNION ALL SELECT 'h' || t::text FROM hired_employees t ORDER BY 1")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
