package dev.hiringkit.internal.archive;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.archive.ArchiveStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * An archive in a local directory. An object is written to a {@code .partial} file, forced to disk, and
 * renamed when whole.
 */
public final class DirectoryStore implements ArchiveStore {

    private final Path root;

    public DirectoryStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void write(String key, Body body) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString() + ".", ".partial");
        try {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                body.writeTo(out);
                out.flush();
                channel.force(true); // on disk before it is renamed into sight: a crash never shows half a file
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Makes a rename in a directory durable; where directories cannot be opened, there is nothing to do. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every system allows it (Windows); the file itself is already on disk.
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(resolve(key));
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = resolve(key);
        Files.deleteIfExists(file);
        // The directory a backup's files were in goes too once empty; the root stays.
        Path parent = file.getParent();
        if (!parent.equals(root)) {
            try {
                Files.deleteIfExists(parent);
            } catch (DirectoryNotEmptyException e) {
                // other objects still live there
            }
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        // "backups/1" also matches "backups/10/...": walk the directory the prefix ends in.
        Path base = resolve(prefix.isEmpty() ? "." : prefix);
        Path dir = prefix.isEmpty() || prefix.endsWith("/") ? base : base.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                String key = root.relativize(file).toString().replace('\\', '/');
                if (attributes.isRegularFile() && key.startsWith(prefix) && !key.endsWith(".partial")) {
                    keys.add(key);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // a .partial file renamed while we looked
                }
                throw e;
            }
        });
        keys.sort(null);
        return keys;
    }

    @Override
    public String locate(String key) {
        return resolve(key).toString();
    }

    private Path resolve(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root)) {
            throw new HiringException(Code.INVALID_ARGUMENT, "An archive key escapes the archive directory: " + key);
        }
        return path;
    }
}
