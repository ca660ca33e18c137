package dev.hiringkit.internal.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL binaries zonky extracted for an earlier start, remembered beside a server's files so that
 * the next start uses them as they are.
 *
 * <p>On every start zonky reads its whole binaries archive (15 MB) from the jar and hashes it (MD5) to name
 * the directory it extracts to, {@code PG-<md5>} in its working directory, even when that directory is
 * complete: 0.05-0.09 s of CPU and a median 0.23-0.40 s of wall time on this busy 2-core machine (up to
 * 0.68 s), on the path to a ready {@code hiring serve}; 22-34 ms from the link. So after a start the usual way, the directory that the server's executable came from is
 * remembered as a symbolic link, {@code <server files>-binaries/zonky/PG-<md5 of KEY>}; the next start hands
 * zonky that link's directory as its working directory and, through its {@link PgBinaryResolver} extension
 * point, the few bytes of {@link #KEY} as the archive, whose name is that link: zonky finds the binaries there,
 * complete, and extracts nothing. The link is used only while zonky's own test of a complete extraction
 * passes on it and the executables are there; otherwise (the temporary directory was cleaned, say) the
 * start goes the usual way, which extracts again, and remembers the new directory.
 *
 * <p>zonky makes its working directory writable by every user (it shares {@code /tmp/embedded-pg}), so the
 * link's directory sits in {@code home}, which only its owner may enter: no other user can swap the link
 * for other executables.
 */
record ExtractedBinaries(Path home) implements PgBinaryResolver {

    private static final Logger LOG = LoggerFactory.getLogger(ExtractedBinaries.class);

    /** What this resolver hands zonky as the archive: its MD5 names the link. */
    private static final byte[] KEY = "HiringKit: PostgreSQL binaries extracted before, linked here"
            .getBytes(StandardCharsets.US_ASCII);

    /** The file zonky writes into its binaries' directory once the extraction is complete. */
    private static final String EXTRACTED_MARKER = ".exists";

    /** zonky's own allowance between the directory's time and its marker's (isPgBinReady), in ms. */
    private static final long MARKER_SLACK_MILLIS = 100;

    private static final String[] EXECUTABLES = {"postgres", "pg_ctl", "initdb"};

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /** The binaries remembered for the server whose files are in {@code postgresDirectory}. */
    static ExtractedBinaries beside(Path postgresDirectory) {
        return new ExtractedBinaries(postgresDirectory.resolveSibling(postgresDirectory.getFileName() + "-binaries"));
    }

    /** The working directory given to zonky, which holds the link. */
    private Path workingDirectory() {
        return home.resolve("zonky");
    }

    /** The link to the binaries' directory, named as zonky names the directory of {@link #KEY}'s archive. */
    Path link() {
        try {
            return workingDirectory().resolve("PG-" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(KEY)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /** True when the link leads to a complete extraction that zonky will use without extracting. */
    boolean usable() {
        return complete(link());
    }

    /** {@code builder} starting from the remembered binaries: call only when {@link #usable()}. */
    EmbeddedPostgres.Builder applyTo(EmbeddedPostgres.Builder builder) {
        return builder.setOverrideWorkingDirectory(workingDirectory().toFile()).setPgBinaryResolver(this);
    }

    @Override
    public InputStream getPgBinary(String system, String machineHardware) {
        return new ByteArrayInputStream(KEY);
    }

    /**
     * Remembers the binaries of {@code server}, the running postmaster, for the next start; does nothing
     * when they are not a complete extraction or the link cannot be made (a system without symbolic links):
     * that start then goes the usual way too.
     */
    void remember(ProcessHandle server) {
        Optional<Path> binaries;
        try {
            binaries = server.info().command().map(Path::of).map(Path::getParent).map(Path::getParent);
        } catch (InvalidPathException e) {
            binaries = Optional.empty();
        }
        if (binaries.isEmpty() || !complete(binaries.get())) {
            LOG.debug("Not remembering the PostgreSQL binaries of process {}: {}", server.pid(), binaries);
            return;
        }
        Path link = link();
        Path partial = link.resolveSibling(link.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        try {
            if (!Files.isDirectory(home)) {
                Files.createDirectory(home, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            Files.createDirectories(workingDirectory());
            Files.deleteIfExists(partial);
            Files.createSymbolicLink(partial, binaries.get());
            // A reader sees the old link or the new one, never none.
            Files.move(partial, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.debug("Remembered the PostgreSQL binaries {} in {}", binaries.get(), link);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.debug("Could not remember the PostgreSQL binaries in {}: {}", link, e.toString());
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // left for the next start's attempt, which replaces it
            }
        }
    }

    /**
     * zonky's test of a complete extraction (its marker is newer than the directory, give or take 0.1 s,
     * and than everything in it: a cleaner that deleted a part since has changed one of those), and the
     * executables a start runs.
     */
    private static boolean complete(Path binaries) {
        try {
            Path directory = binaries.toRealPath();
            Path marker = directory.resolve(EXTRACTED_MARKER);
            long extracted = Files.getLastModifiedTime(marker).toMillis();
            if (Files.getLastModifiedTime(directory).toMillis() - MARKER_SLACK_MILLIS > extracted) {
                return false;
            }
            try (Stream<Path> entries = Files.list(directory)) {
                if (entries.filter(entry -> !entry.equals(marker)).anyMatch(entry -> modifiedAfter(entry, extracted))) {
                    return false;
                }
            }
            return Stream.of(EXECUTABLES).allMatch(name -> Files.isExecutable(directory.resolve("bin").resolve(name)));
        } catch (IOException e) {
            // NoSuchFileException most often: never extracted, or deleted since.
            return false;
        }
    }

    private static boolean modifiedAfter(Path entry, long millis) {
        try {
            return Files.getLastModifiedTime(entry).toMillis() > millis;
        } catch (IOException e) {
            return true;
        }
    }
}
