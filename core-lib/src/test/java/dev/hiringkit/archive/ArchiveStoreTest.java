package dev.hiringkit.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.archive.s3.S3Location;
import dev.hiringkit.HiringException;
import dev.hiringkit.internal.archive.S3Store;
import dev.hiringkit.testing.TestS3;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link ArchiveStore} contract, held by every store: a directory, and S3 (S3Proxy in this JVM). */
class ArchiveStoreTest {

    private static final String STORES = "dev.hiringkit.testing.TestStores#stores";

    @ParameterizedTest
    @MethodSource(STORES)
    void writtenObjectsReadBackAndLocateNamesThem(ArchiveStore store) throws IOException {
        store.write("rejects/jobs/jobs-20210101T000000Z.csv", out -> out.write(utf8("line,reasons,record\n")));
        store.write("empty", out -> { });

        assertEquals("line,reasons,record\n", read(store, "rejects/jobs/jobs-20210101T000000Z.csv"));
        assertEquals("", read(store, "empty"));
        assertTrue(store.locate("empty").endsWith("empty"), store.locate("empty"));
    }

    @ParameterizedTest
    @MethodSource(STORES)
    void aSecondWriteReplacesTheObject(ArchiveStore store) throws IOException {
        store.write("k", out -> out.write(utf8("old")));
        store.write("k", out -> out.write(utf8("new")));

        assertEquals("new", read(store, "k"));
        assertEquals(List.of("k"), store.list(""));
    }

    @ParameterizedTest
    @MethodSource(STORES)
    void listGivesTheKeysUnderAPrefixSorted(ArchiveStore store) throws IOException {
        for (String key : List.of("rejects/jobs/b.csv", "backups/2/jobs.avro", "backups/1/jobs.avro",
                "rejects/jobs/a.csv", "backups/1/departments.avro", "rejects/hired_employees/a.csv")) {
            store.write(key, out -> out.write(utf8(key)));
        }

        assertEquals(List.of("backups/1/departments.avro", "backups/1/jobs.avro", "backups/2/jobs.avro",
                "rejects/hired_employees/a.csv", "rejects/jobs/a.csv", "rejects/jobs/b.csv"), store.list(""));
        assertEquals(List.of("backups/1/departments.avro", "backups/1/jobs.avro", "backups/2/jobs.avro"),
                store.list("backups/"));
        assertEquals(List.of("rejects/jobs/a.csv", "rejects/jobs/b.csv"), store.list("rejects/jo"));
        assertEquals(List.of(), store.list("nothing/"));
    }

    @ParameterizedTest
    @MethodSource(STORES)
    void deleteRemovesOneObjectAndAMissingOneIsNoError(ArchiveStore store) throws IOException {
        store.write("backups/1/jobs.avro", out -> out.write(utf8("jobs")));
        store.write("backups/1/departments.avro", out -> out.write(utf8("departments")));
        store.delete("backups/1/jobs.avro");
        store.delete("backups/1/jobs.avro");
        store.delete("backups/2/none.avro");
        assertEquals(List.of("backups/1/departments.avro"), store.list(""));
        store.delete("backups/1/departments.avro");
        assertEquals(List.of(), store.list(""));
        store.write("backups/1/jobs.avro", out -> out.write(utf8("again")));
        assertEquals("again", read(store, "backups/1/jobs.avro"));
    }

    @ParameterizedTest
    @MethodSource(STORES)
    void aMissingObjectIsNoSuchFile(ArchiveStore store) {
        assertThrows(NoSuchFileException.class, () -> store.open("backups/none/jobs.avro").close());
    }

    @ParameterizedTest
    @MethodSource(STORES)
    void anObjectBeingWrittenIsNotListed(ArchiveStore store) throws IOException {
        store.write("backups/1/jobs.avro", out -> {
            writeGenerated(out, 3 * S3Store.PART_SIZE / 2, 1);
            assertEquals(List.of(), store.list(""));
        });

        assertEquals(List.of("backups/1/jobs.avro"), store.list(""));
    }

    /** The body fails after more than one part went out: nothing appears, the older object stays. */
    @ParameterizedTest
    @MethodSource(STORES)
    void aFailedBodyLeavesNoObjectAndTheOlderOneIntact(ArchiveStore store) throws IOException {
        store.write("backups/1/jobs.avro", out -> out.write(utf8("the older backup")));
        IOException failure = new IOException("the database went away");

        IOException thrown = assertThrows(IOException.class, () -> store.write("backups/1/jobs.avro", out -> {
            writeGenerated(out, 2 * S3Store.PART_SIZE + 1000, 2);
            throw failure;
        }));
        IllegalStateException bug = new IllegalStateException("a bug in the body");
        RuntimeException unchecked = assertThrows(RuntimeException.class,
                () -> store.write("backups/2/jobs.avro", out -> {
                    out.write(utf8("half"));
                    throw bug;
                }));

        assertSame(failure, thrown);
        assertSame(bug, unchecked);
        assertEquals("the older backup", read(store, "backups/1/jobs.avro"));
        assertEquals(List.of("backups/1/jobs.avro"), store.list(""));
    }

    /** 40 MiB, streamed from a generator and compared by checksum: never held in memory. */
    @ParameterizedTest
    @MethodSource(STORES)
    void aLargeObjectRoundTrips(ArchiveStore store) throws IOException {
        long size = (40L << 20) + 12345;
        store.write("backups/large.avro", out -> writeGenerated(out, size, 3));

        CRC32 expected = new CRC32();
        writeGenerated(OutputStream.nullOutputStream(), size, 3, expected);
        CRC32 actual = new CRC32();
        long read = 0;
        try (InputStream in = store.open("backups/large.avro")) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; read += n) {
                actual.update(buffer, 0, n);
            }
        }
        assertEquals(size, read);
        assertEquals(expected.getValue(), actual.getValue());
    }

    @ParameterizedTest
    @MethodSource(STORES)
    void aStreamClosedBeforeItsEndLeavesTheStoreUsable(ArchiveStore store) throws IOException {
        store.write("big", out -> writeGenerated(out, S3Store.PART_SIZE + 10, 4));
        try (InputStream in = store.open("big")) {
            assertEquals(1000, in.readNBytes(1000).length);
        }
        assertEquals(List.of("big"), store.list(""));
    }

    @Test
    void keysThatAreNotRelativePathsAreRefused() {
        ArchiveStore store = S3Archive.store(TestS3.client(), TestS3.newBucket(), "");
        for (String key : List.of("", "/a", "a//b", "../a", "a/./b")) {
            assertEquals(HiringException.Code.INVALID_ARGUMENT,
                    assertThrows(HiringException.class, () -> store.write(key, out -> { }), key).code(), key);
        }
    }

    @Test
    void anS3LocationNamesTheBucketAndPrefix() throws IOException {
        String bucket = TestS3.newBucket();
        ArchiveStore store = S3Archive.store(TestS3.client(), S3Location.parse("s3://" + bucket + "/hiring/prod"));
        store.write("rejects/a.csv", out -> out.write(utf8("a")));

        assertEquals("s3://" + bucket + "/hiring/prod/rejects/a.csv", store.locate("rejects/a.csv"));
        assertEquals(List.of("rejects/a.csv"), store.list(""));
        assertEquals(List.of("hiring/prod/rejects/a.csv"), S3Archive.store(TestS3.client(), bucket, "").list(""));
    }

    /** The S3 server stops half-way through a multipart upload: the write fails and nothing appears. */
    @Test
    void anS3ServerThatStopsMidWriteLeavesNoObject() throws IOException {
        String bucket = TestS3.newBucket();
        ArchiveStore store = S3Archive.store(TestS3.client(), bucket, "archive");
        store.write("backups/1/jobs.avro", out -> out.write(utf8("the older backup")));

        IOException thrown;
        try {
            thrown = assertThrows(IOException.class, () -> store.write("backups/1/jobs.avro", out -> {
                writeGenerated(out, S3Store.PART_SIZE + 100, 5);
                TestS3.stop();
                writeGenerated(out, 2L * S3Store.PART_SIZE, 6);
            }));
        } finally {
            TestS3.start();
        }

        assertTrue(thrown.getMessage().contains("s3://" + bucket + "/archive/backups/1/jobs.avro"),
                thrown.getMessage());
        assertEquals("the older backup", read(store, "backups/1/jobs.avro"));
        assertEquals(List.of("backups/1/jobs.avro"), store.list(""));
    }

    /** A body whose write fails aborts its multipart upload: no parts are left behind to pay for. */
    @Test
    void aFailedWriteAbortsItsMultipartUpload() {
        String bucket = TestS3.newBucket();
        ArchiveStore store = S3Archive.store(TestS3.client(), bucket, "");

        assertThrows(IOException.class, () -> store.write("big", out -> {
            writeGenerated(out, 2L * S3Store.PART_SIZE, 7);
            throw new IOException("stop");
        }));

        assertFalse(TestS3.client().listMultipartUploads(b -> b.bucket(bucket)).hasUploads());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String read(ArchiveStore store, String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void writeGenerated(OutputStream out, long size, long seed) throws IOException {
        writeGenerated(out, size, seed, new CRC32());
    }

    /** Writes {@code size} pseudo-random bytes from {@code seed} in 64 KiB pieces, adding them to {@code crc}. */
    private static void writeGenerated(OutputStream out, long size, long seed, CRC32 crc) throws IOException {
        byte[] piece = new byte[1 << 16];
        long state = seed;
        for (long written = 0; written < size; ) {
            int n = (int) Math.min(piece.length, size - written);
            for (int i = 0; i < n; i++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                piece[i] = (byte) (state >>> 56);
            }
            out.write(piece, 0, n);
            crc.update(piece, 0, n);
            written += n;
        }
    }
}
