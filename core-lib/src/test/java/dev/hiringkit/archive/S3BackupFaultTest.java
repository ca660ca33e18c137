package dev.hiringkit.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestS3;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The S3 server goes away in the middle of a backup: an error, no manifest, and earlier backups intact. */
class S3BackupFaultTest {

    @Test
    void aBackupInterruptedByTheStoreLeavesNoManifestAndEarlierBackupsUsable() throws Exception {
        ArchiveStore s3 = S3Archive.store(TestS3.client(), TestS3.newBucket(), "archive/");
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(s3).build();
            kit.migrate();
            kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
            Backup earlier = kit.archiver().backup();

            // Stops the server once part of hired_employees.avro has been written.
            ArchiveStore stopping = new ArchiverTest.ForwardingStore(s3) {
                @Override
                public void write(String key, Body body) throws IOException {
                    super.write(key, out -> body.writeTo(key.endsWith("hired_employees.avro") ? stopAfter(out, 10_000) : out));
                }
            };
            HiringKit interrupted = HiringKit.builder().dataSource(dataSource).archive(stopping).build();
            try {
                HiringException e = assertThrows(HiringException.class, () -> interrupted.archiver().backup());
                assertEquals(HiringException.Code.ARCHIVE_ERROR, e.code(), e.getMessage());
            } finally {
                TestS3.start();
            }

            assertEquals(List.of(earlier), kit.archiver().list());
            assertTrue(s3.list("backups/").stream().noneMatch(k -> k.endsWith("manifest.json")
                    && !k.contains(earlier.id())), "no manifest for the interrupted backup");
            long employees = kit.repository().count(Table.HIRED_EMPLOYEES);
            try (var c = dataSource.getConnection(); var s = c.createStatement()) {
                s.execute("TRUNCATE hired_employees, jobs, departments");
            }
            kit.archiver().restore(Archiver.LATEST, RestoreMode.REPLACE);
            assertEquals(employees, kit.repository().count(Table.HIRED_EMPLOYEES));
        }
    }

    private static OutputStream stopAfter(OutputStream out, long bytes) {
        return new FilterOutputStream(out) {
            private long written;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                written += len;
                if (written >= bytes) {
                    TestS3.stop();
                }
            }
        };
    }
}
