package dev.hiringkit.archive.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.HiringException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class S3LocationTest {

    @Test
    void tellsS3LocationsFromPaths() {
        assertTrue(S3Location.isS3("s3://bucket/key"));
        assertTrue(S3Location.isS3("S3://bucket/"));
        assertTrue(S3Location.isS3(URI.create("s3://bucket/a.csv")));
        assertFalse(S3Location.isS3("data/s3://x"));
        assertFalse(S3Location.isS3("/tmp/data"));
        assertFalse(S3Location.isS3("s3:/bucket"));
        assertFalse(S3Location.isS3((String) null));
        assertFalse(S3Location.isS3(URI.create("file:/tmp/a.csv")));
    }

    @Test
    void takesALocationApart() {
        S3Location object = S3Location.parse("s3://bucket/data/jobs.csv");
        assertEquals(new S3Location("bucket", "data/jobs.csv"), object);
        assertFalse(object.isPrefix());
        assertEquals("jobs.csv", object.name());
        assertEquals(S3Location.parse("s3://bucket/data/"), object.parent());
        assertEquals(URI.create("s3://bucket/data/jobs.csv"), object.toUri());

        assertEquals(new S3Location("bucket", "data/"), S3Location.parse("s3://bucket/data").asPrefix());
        assertEquals(new S3Location("bucket", ""), S3Location.parse("s3://bucket"));
        assertTrue(S3Location.parse("s3://bucket").isPrefix());
        assertEquals("s3://bucket/", S3Location.parse("s3://bucket").toString());
        assertEquals(S3Location.parse("s3://bucket/a/b/"), S3Location.parse(URI.create("s3://bucket/a/b/")));
    }

    @Test
    void refusesWhatIsNotOne() {
        for (String notOne : new String[] {"s3://", "s3:///key", "/tmp/a.csv", "https://bucket/key"}) {
            HiringException refused = assertThrows(HiringException.class, () -> S3Location.parse(notOne), notOne);
            assertEquals(HiringException.Code.INVALID_ARGUMENT, refused.code(), notOne);
        }
        assertThrows(HiringException.class, () -> new S3Location("a/b", "key"));
    }
}
