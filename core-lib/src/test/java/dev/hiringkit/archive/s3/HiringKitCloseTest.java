package dev.hiringkit.archive.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestS3;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link HiringKit#close()} closes the S3 client the kit was given to own, and only what it owns. */
class HiringKitCloseTest {

    @Test
    void closingTheKitClosesTheClientOfAStoreThatMadeItsOwn() throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            // A region and credentials of no one, so that the SDK does not look for them on the network and a
            // request gets as far as the HTTP client, which was shut down: no request leaves this machine.
            System.setProperty("aws.region", "us-east-1");
            System.setProperty("aws.accessKeyId", "none");
            System.setProperty("aws.secretAccessKey", "none");
            try {
                ArchiveStore store = S3Archive.store(S3Location.parse("s3://hiring-close-test/archive/"));
                HiringKit kit = HiringKit.builder().dataSource(db).archive(store).build();

                kit.close();

                IOException closed = assertThrows(IOException.class, () -> store.list(""));
                assertTrue(messages(closed).contains("shut down"), messages(closed));
            } finally {
                System.clearProperty("aws.region");
                System.clearProperty("aws.accessKeyId");
                System.clearProperty("aws.secretAccessKey");
            }
            try (var connection = db.getConnection()) {
                assertTrue(connection.isValid(1), "the data source the kit was given stays open");
            }
        }
    }

    @Test
    void aClientTheCallerGaveStaysOpen() throws Exception {
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            ArchiveStore store = S3Archive.store(TestS3.client(), TestS3.newBucket(), "archive/");
            HiringKit kit = HiringKit.builder().dataSource(db).archive(store)
                    .sourceReader(S3Archive.sourceReader(TestS3.client())).build();

            kit.close();

            store.write("still/open.txt", out -> out.write(1));
            assertEquals(List.of("still/open.txt"), store.list("still/"));
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
