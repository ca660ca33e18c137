package dev.hiringkit.internal.archive;

import dev.hiringkit.archive.Backup;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The size and SHA-256 of a backup file, taken as its bytes stream past: a backup records them in its
 * manifest, a restore checks the file against them in the same single read that restores it.
 */
final class FileChecksum {
    private final MessageDigest digest;
    private String sha256;
    /** Bytes that passed. */
    long bytes;
    /** Rows the file holds, counted by whoever reads or writes them. */
    long rows;

    FileChecksum() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the digest was taken: nothing more can be hashed. */
    boolean finished() {
        return sha256 != null;
    }

    /** The SHA-256 of everything that passed, in hex; the stream must not be used after. */
    String sha256() {
        if (sha256 == null) {
            sha256 = HexFormat.of().formatHex(digest.digest());
        }
        return sha256;
    }

    /** Whether what passed has the size and SHA-256 the manifest gives the file. */
    boolean matches(Backup.TableFile file) {
        return bytes == file.bytes() && sha256().equals(file.sha256());
    }

    /** How what passed differs from the manifest's file, for an error message. */
    String mismatch(Backup.TableFile file) {
        return "its size or SHA-256 is not the manifest's (" + bytes + " bytes, " + sha256()
                + " read; " + file.bytes() + " bytes, " + file.sha256() + " expected)";
    }

    /** The stream to write to; closing it leaves {@code out} open, as the archive store wants. */
    OutputStream wrap(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                digest.update((byte) b);
                bytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                digest.update(b, off, len);
                bytes += len;
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    /** The stream to read from; a failure of {@code in} is tagged as the store's. */
    InputStream wrap(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = ArchiveFailures.readFromStore(() -> in.read());
                if (b >= 0) {
                    digest.update((byte) b);
                    bytes++;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = ArchiveFailures.readFromStore(() -> in.read(b, off, len));
                if (n > 0) {
                    digest.update(b, off, n);
                    bytes += n;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // Skipped bytes must be hashed too.
                return n <= 0 ? 0 : Math.max(0, read(new byte[(int) Math.min(n, 8192)]));
            }

            @Override
            public boolean markSupported() {
                return false; // a reset would hash bytes twice
            }
        };
    }
}
