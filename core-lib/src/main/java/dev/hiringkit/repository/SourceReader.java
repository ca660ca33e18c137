package dev.hiringkit.repository;

import dev.hiringkit.archive.ArchiveStore;
import java.net.URI;

/**
 * Reads the sources of loads that are not local files: the objects under a URI such as
 * {@code s3://bucket/data/}. Given to {@code HiringKit.Builder#sourceReader}; S3's is
 * {@code dev.hiringkit.archive.s3.S3Archive#sourceReader}.
 */
@FunctionalInterface
public interface SourceReader {

    /**
     * The objects under {@code prefix} (a URI ending with {@code /}) as a store whose keys are relative to
     * it: a load opens {@code jobs.csv} there, and names its source with {@link ArchiveStore#locate}.
     */
    ArchiveStore at(URI prefix);
}
