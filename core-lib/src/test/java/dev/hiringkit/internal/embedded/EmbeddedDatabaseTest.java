package dev.hiringkit.internal.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.HiringException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An embedded server shared through its data directory, and the stale records a killed process leaves. */
class EmbeddedDatabaseTest {

    @Test
    void aSharedServerIsUsedByTheNextProcessAndUnsharedWhenItStops(@TempDir Path dataDir) throws Exception {
        Path shared = RunningServer.file(dataDir);
        try (EmbeddedDatabase owner = EmbeddedDatabase.open(dataDir, true)) {
            assertFalse(owner.isBorrowed());
            RunningServer recorded = RunningServer.read(shared).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), recorded.pid());
            execute(owner.jdbcUrl(), "CREATE TABLE seen (x int); INSERT INTO seen VALUES (42)");

            try (EmbeddedDatabase borrowed = EmbeddedDatabase.open(dataDir, false)) {
                assertTrue(borrowed.isBorrowed());
                assertEquals(owner.jdbcUrl(), borrowed.jdbcUrl());
                assertEquals(42, single(borrowed.jdbcUrl(), "SELECT x FROM seen"));
            }
            // Closing the borrower leaves the owner's server running and shared.
            assertEquals(42, single(owner.jdbcUrl(), "SELECT x FROM seen"));
            assertTrue(Files.exists(shared));
        }
        assertFalse(Files.exists(shared), "a clean stop removes the record");
    }

    @Test
    void aServerThatIsNotSharedKeepsItsDirectoryToItself(@TempDir Path dataDir) {
        try (EmbeddedDatabase owner = EmbeddedDatabase.open(dataDir, false)) {
            assertFalse(Files.exists(RunningServer.file(dataDir)));
            HiringException e = assertThrows(HiringException.class, () -> EmbeddedDatabase.open(dataDir, false));
            assertEquals(HiringException.Code.DATABASE_UNAVAILABLE, e.code());
            assertTrue(e.getMessage().contains("in use by another hiring process"), e.getMessage());
        }
    }

    @Test
    void staleRecordsAreIgnored(@TempDir Path dataDir) throws Exception {
        Path shared = RunningServer.file(dataDir);
        // A process that has exited, with the port of no server.
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        new RunningServer(exited.pid(), freePort()).write(shared);
        try (EmbeddedDatabase started = EmbeddedDatabase.open(dataDir, false)) {
            assertFalse(started.isBorrowed());
        }
        // A live process (this one) whose port is closed: a killed server's, or one that had not started.
        new RunningServer(ProcessHandle.current().pid(), freePort()).write(shared);
        try (EmbeddedDatabase started = EmbeddedDatabase.open(dataDir, false)) {
            assertFalse(started.isBorrowed());
        }
        // A live process whose port answers with another directory's server.
        try (EmbeddedDatabase other = EmbeddedDatabase.open(dataDir.resolve("other"), false)) {
            int otherPort = Integer.parseInt(other.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1"));
            new RunningServer(ProcessHandle.current().pid(), otherPort).write(shared);
            try (EmbeddedDatabase started = EmbeddedDatabase.open(dataDir, false)) {
                assertFalse(started.isBorrowed());
                assertNotEquals(other.jdbcUrl(), started.jdbcUrl());
            }
        }
        Files.writeString(shared, "not a record");
        assertTrue(RunningServer.read(shared).isEmpty());
    }

    @Test
    void aServerLeftRunningByAKilledProcessIsStoppedAndTheDataStaysUsable(@TempDir Path dataDir) throws Exception {
        Path postgres = dataDir.resolve(EmbeddedDatabase.POSTGRES_DIRECTORY);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process owner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ServerInOwnJvm.class.getName(), postgres.toString(), "hold").redirectErrorStream(true).start();
        ProcessHandle leftRunning;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("executable=")) {
                // the child's log
            }
            assertTrue(line != null, "the child started its server");
            leftRunning = ProcessHandle.of(Long.parseLong(Files.readAllLines(postgres.resolve("postmaster.pid")).get(0)
                    .trim())).orElseThrow();
            owner.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook stops its server
        }
        assertTrue(leftRunning.isAlive(), "the killed process's server still runs");

        try (EmbeddedDatabase started = EmbeddedDatabase.open(dataDir, false)) {
            assertFalse(started.isBorrowed());
            assertFalse(leftRunning.isAlive());
            execute(started.jdbcUrl(), "CREATE TABLE after_kill (x int); INSERT INTO after_kill VALUES (7)");
            assertEquals(7, single(started.jdbcUrl(), "SELECT x FROM after_kill"));
        }
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static int single(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
