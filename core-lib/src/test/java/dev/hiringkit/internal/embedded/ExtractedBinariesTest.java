package dev.hiringkit.internal.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binaries a start remembers beside the server's files, and the starts that cannot use them. */
class ExtractedBinariesTest {

    private static final List<String> EXECUTABLES = List.of("postgres", "pg_ctl", "initdb");

    @Test
    void aStartRemembersItsBinariesAndTheNextStartRunsWhatTheLinkLeadsTo(@TempDir Path dataDir,
            @TempDir Path elsewhere) throws Exception {
        Path postgres = dataDir.resolve("postgres");
        ExtractedBinaries binaries = ExtractedBinaries.beside(postgres);
        try (EmbeddedDatabase first = EmbeddedDatabase.start(postgres)) {
            assertEquals(1, answer(first.jdbcUrl()));
        }
        Path extracted = Files.readSymbolicLink(binaries.link());
        assertTrue(Files.isExecutable(extracted.resolve("bin").resolve("postgres")), extracted.toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(binaries.home())),
                "no other user may swap the link");

        // Binaries elsewhere, complete as zonky leaves them (its marker written last): the link decides.
        Path copy = completeCopy(extracted, elsewhere.resolve("PG-copy"));
        relink(binaries.link(), copy);
        try (EmbeddedDatabase second = EmbeddedDatabase.start(postgres)) {
            assertEquals(copy.resolve("bin").resolve("postgres"), serverExecutable(postgres));
            assertEquals(1, answer(second.jdbcUrl()));
        }
    }

    @Test
    void binariesDeletedOrIncompleteAreFoundAgainAndRemembered(@TempDir Path dataDir, @TempDir Path elsewhere)
            throws Exception {
        Path postgres = dataDir.resolve("postgres");
        ExtractedBinaries binaries = ExtractedBinaries.beside(postgres);
        try (EmbeddedDatabase first = EmbeddedDatabase.start(postgres)) {
            assertEquals(1, answer(first.jdbcUrl()));
        }
        Path extracted = Files.readSymbolicLink(binaries.link());

        // Deleted since (a cleaned /tmp): the link leads nowhere.
        relink(binaries.link(), elsewhere.resolve("deleted"));
        assertFalse(binaries.usable());
        try (EmbeddedDatabase database = EmbeddedDatabase.start(postgres)) {
            assertEquals(extracted.resolve("bin").resolve("postgres"), serverExecutable(postgres));
            assertEquals(1, answer(database.jdbcUrl()));
        }
        assertEquals(extracted, Files.readSymbolicLink(binaries.link()));

        // Partly deleted: a file changed after zonky's marker (a cleaner removed part of lib/, say).
        Path copy = completeCopy(extracted, elsewhere.resolve("PG-partial"));
        Files.setLastModifiedTime(copy.resolve(".exists"), Files.getLastModifiedTime(copy.resolve("bin")));
        Files.delete(copy.resolve("bin").resolve("initdb"));
        relink(binaries.link(), copy);
        assertFalse(binaries.usable());
        try (EmbeddedDatabase database = EmbeddedDatabase.start(postgres)) {
            assertEquals(extracted.resolve("bin").resolve("postgres"), serverExecutable(postgres));
        }
        assertEquals(extracted, Files.readSymbolicLink(binaries.link()));
    }

    /**
     * The whole of zonky's working directory deleted between two runs, as a cleaned /tmp does: the next run
     * (a new JVM, since zonky remembers its binaries per JVM) extracts them again and starts.
     */
    @Test
    void binariesDeletedBetweenRunsAreExtractedAgain(@TempDir Path dir) throws Exception {
        Path zonkyWork = dir.resolve("embedded-pg");
        Path postgres = dir.resolve("data").resolve("postgres");
        Path link = ExtractedBinaries.beside(postgres).link();

        Path firstRun = runInOwnJvm(zonkyWork, postgres);
        assertTrue(firstRun.startsWith(zonkyWork), "extracted into the working directory: " + firstRun);
        assertEquals(firstRun.getParent().getParent(), Files.readSymbolicLink(link));

        assertEquals(firstRun, runInOwnJvm(zonkyWork, postgres), "the remembered binaries");

        deleteTree(zonkyWork);
        assertEquals(firstRun, runInOwnJvm(zonkyWork, postgres), "extracted again where zonky puts them");
        assertTrue(Files.isExecutable(firstRun));
        assertEquals(firstRun.getParent().getParent(), Files.readSymbolicLink(link));
    }

    /** Runs {@link ServerInOwnJvm} with zonky's working directory {@code zonkyWork}; the executable it ran. */
    private static Path runInOwnJvm(Path zonkyWork, Path postgres) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Dot.epg.working-dir=" + zonkyWork,
                "-cp", System.getProperty("java.class.path"), ServerInOwnJvm.class.getName(), postgres.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        return output.lines().filter(line -> line.startsWith("executable=")).map(line -> Path.of(line.substring(11)))
                .findFirst().orElseThrow(() -> new AssertionError(output));
    }

    /** The executables copied, lib/ and share/ linked, then the marker zonky writes when it is done. */
    private static Path completeCopy(Path extracted, Path copy) throws IOException {
        Files.createDirectories(copy.resolve("bin"));
        for (String name : EXECUTABLES) {
            Files.copy(extracted.resolve("bin").resolve(name), copy.resolve("bin").resolve(name),
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.createSymbolicLink(copy.resolve("lib"), extracted.resolve("lib"));
        Files.createSymbolicLink(copy.resolve("share"), extracted.resolve("share"));
        Files.createFile(copy.resolve(".exists"));
        return copy;
    }

    private static void relink(Path link, Path target) throws IOException {
        Files.delete(link);
        Files.createSymbolicLink(link, target);
    }

    private static Path serverExecutable(Path postgres) throws IOException {
        long pid = Long.parseLong(Files.readAllLines(postgres.resolve("postmaster.pid")).get(0).trim());
        return Path.of(ProcessHandle.of(pid).orElseThrow().info().command().orElseThrow());
    }

    private static int answer(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
