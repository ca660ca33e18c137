package dev.hiringkit.repository;

import dev.hiringkit.Table;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Page;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads and writes the hiring records: batches of new rows, bulk loads of historical CSV files,
 * lookups and the log of rejected records. Every write applies the data rules; a record that
 * breaks one is not inserted but logged with its reasons.
 */
public interface HiringRepository {

    /** The most rows one table may carry in one batch. */
    int MAX_BATCH_ROWS = 1000;

    /**
     * Inserts a batch: 1 to 1000 rows per table, parents first, in one transaction. Valid rows are
     * inserted and invalid ones logged, or, in all-or-nothing mode, nothing is inserted when any row
     * is invalid. An empty batch, or one with over 1000 rows for a table, is refused whole with a
     * {@link dev.hiringkit.HiringException}.
     */
    BatchResult insert(Batch batch);

    /**
     * Loads one CSV file of historical records, streaming, committing every
     * {@link LoadOptions#chunkSize()} records. Loading the same file again changes no table; a load
     * that was interrupted resumes after its last committed chunk.
     */
    LoadResult load(Table table, Path file, LoadOptions options);

    /**
     * Loads one CSV file named by a URI: {@code s3://bucket/key} (read as a stream with the kit's
     * {@link SourceReader}) or a {@code file:} URI. It resumes an interrupted load of the same URI as
     * {@link #load(Table, Path, LoadOptions)} does.
     */
    LoadResult load(Table table, URI source, LoadOptions options);

    /** Loads CSV records from a stream; {@code source} names it in the log and the rejects file. */
    LoadResult load(Table table, String source, InputStream in, LoadOptions options);

    /**
     * Loads {@code departments.csv}, {@code jobs.csv} and {@code hired_employees.csv} from a directory, in
     * that order, each in a load of its own. A directory load that stopped part-way (the database went
     * away, say), run again, resumes where it stopped: the file it stopped in resumes after its last
     * committed chunk, and the files it had loaded are not loaded again when they hold the same bytes
     * (their recorded results are returned), so the loads and rejections end as one clean run's. Once a
     * directory load has completed, running it again loads every file again (every row a DUPLICATE_ID);
     * with {@link LoadOptions#restart()} every file is loaded anew.
     */
    List<LoadResult> loadDirectory(Path dir, LoadOptions options);

    /**
     * Loads {@code departments.csv}, {@code jobs.csv} and {@code hired_employees.csv}, in that order,
     * from an S3 prefix ({@code s3://bucket/prefix/}) or a {@code file:} directory URI, resuming as
     * {@link #loadDirectory(Path, LoadOptions)} does.
     */
    List<LoadResult> loadDirectory(URI dir, LoadOptions options);

    Optional<Department> department(int id);

    Optional<Job> job(int id);

    Optional<HiredEmployee> hiredEmployee(int id);

    /** Departments ordered by id, starting after {@code afterId} (null for the first page). */
    Page<Department> departments(Integer afterId, int limit);

    Page<Job> jobs(Integer afterId, int limit);

    Page<HiredEmployee> hiredEmployees(Integer afterId, int limit);

    long count(Table table);

    /** The rejected records of one load or batch, in record order. */
    List<Rejection> rejections(UUID loadOrBatchId);

    /** The most recent rejected records, newest first, optionally of one source. */
    List<Rejection> recentRejections(String source, int limit);

    /** The recorded loads, newest first. */
    List<LoadResult> loads(int limit);

    /**
     * A page of at most {@code limit} (1 to 10000) rejections: those of one load or batch when
     * {@code loadOrBatchId} is given, in the order they were logged (a file's in line order); else the most
     * recent first, of one source when {@code source} is given. {@code after} is the position of the last
     * entry of the page before, null for the first page.
     */
    RejectionPage rejections(UUID loadOrBatchId, String source, Long after, int limit);

    /**
     * The load with this id as the loads table records it: its status and its totals as of its last
     * committed chunk, which is how a load's progress is followed, from any process on the database.
     */
    Optional<LoadResult> findLoad(UUID loadId);

}
