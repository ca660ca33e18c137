package dev.hiringkit.internal.repository;

import static dev.hiringkit.internal.jooq.Tables.DEPARTMENTS;
import static dev.hiringkit.internal.jooq.Tables.HIRED_EMPLOYEES;
import static dev.hiringkit.internal.jooq.Tables.JOBS;
import static dev.hiringkit.internal.jooq.Tables.REJECTIONS;

import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.s3.S3Location;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.db.IdempotencyKeys;
import dev.hiringkit.internal.db.ReadRouting;
import dev.hiringkit.internal.db.SchemaKeys;
import dev.hiringkit.internal.jooq.tables.records.HiredEmployeesRecord;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Page;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.Rejection;
import dev.hiringkit.repository.RejectionPage;
import dev.hiringkit.repository.SourceReader;
import dev.hiringkit.validation.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The PostgreSQL implementation of {@link HiringRepository}. Lookups that may be a little behind (rows
 * by id, pages, rejections) go through {@code lookups}, a read replica when there is one. The loads
 * ({@link #findLoad}, {@link #loads}) and table counts stay on the primary: callers read them right after
 * their own writes (following a load they started, counting what a load stored), and a feed of loads
 * that switched between the two could see a load go back in time.
 */
public final class PgHiringRepository implements HiringRepository {

    private final DSLContext sql;
    private final DataSource lookups;
    private final DSLContext lookupSql;
    private final RejectionLog log = new RejectionLog();
    private final BatchWriter batches;
    private final LoadLog loadLog;
    private final HistoricalLoad loads;
    private final DirectoryResume resume;
    /** Reads s3:// sources. */
    private final SourceReader sources;

    public PgHiringRepository(DataSource dataSource, DataSource lookups, Validator validator, ArchiveStore archive,
            SourceReader sources, IdempotencyKeys idempotency) {
        this.sources = sources;
        this.sql = DSL.using(dataSource, SQLDialect.POSTGRES);
        this.lookups = lookups;
        this.lookupSql = DSL.using(lookups, SQLDialect.POSTGRES);
        this.batches = new BatchWriter(dataSource, validator, log, idempotency);
        this.loadLog = new LoadLog(dataSource);
        this.loads = new HistoricalLoad(dataSource, validator, archive, log, new SchemaKeys(), idempotency, loadLog);
        this.resume = new DirectoryResume(loadLog);
    }

    @Override
    public BatchResult insert(Batch batch) {
        return batches.insert(batch);
    }

    @Override
    public LoadResult load(Table table, Path file, LoadOptions options) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new HiringException(Code.SOURCE_NOT_FOUND, "No such file: " + file);
        }
        try (InputStream in = Files.newInputStream(absolute)) {
            return loads.run(table, absolute.toString(), baseName(absolute.getFileName().toString()), in,
                    Files.size(absolute), options);
        } catch (IOException e) {
            throw new HiringException(Code.SOURCE_NOT_FOUND, "Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LoadResult load(Table table, URI source, LoadOptions options) {
        if (!S3Location.isS3(source)) {
            return load(table, localPath(source), options);
        }
        S3Location object = S3Location.parse(source);
        if (object.isPrefix()) {
            throw new HiringException(Code.INVALID_ARGUMENT, source + " names a prefix, not an object: give the"
                    + " object's key, or load the prefix as a directory.");
        }
        return load(table, sources.at(object.parent().toUri()), object.name(), options);
    }

    /** Loads one object of a store, streaming; the object's location identifies the load for resuming. */
    private LoadResult load(Table table, ArchiveStore store, String key, LoadOptions options) {
        String location = store.locate(key);
        try (InputStream in = store.open(key)) {
            return loads.run(table, location, baseName(key), in, -1, options);
        } catch (NoSuchFileException e) {
            throw new HiringException(Code.SOURCE_NOT_FOUND, "No such object: " + location, e);
        } catch (IOException e) {
            throw new HiringException(Code.SOURCE_NOT_FOUND, "Could not read " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LoadResult load(Table table, String source, InputStream in, LoadOptions options) {
        String name = baseName(source.substring(source.lastIndexOf('/') + 1));
        return loads.run(table, source, name.isBlank() ? table.sqlName() : name, in, -1, options);
    }

    /** A source's name without its .csv extension, to name its rejects file. */
    private static String baseName(String fileName) {
        return fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")
                ? fileName.substring(0, fileName.length() - 4) : fileName;
    }

    @Override
    public List<LoadResult> loadDirectory(Path dir, LoadOptions options) {
        List<Path> files = new ArrayList<>();
        for (Table table : Table.values()) {
            Path file = dir.resolve(table.fileName());
            if (!Files.isRegularFile(file)) {
                throw new HiringException(Code.SOURCE_NOT_FOUND, "The directory " + dir + " has no " + table.fileName()
                        + "; it needs departments.csv, jobs.csv and hired_employees.csv.");
            }
            files.add(file);
        }
        List<DirectoryResume.File> sources = new ArrayList<>();
        for (Table table : Table.values()) {
            Path absolute = files.get(table.ordinal()).toAbsolutePath().normalize();
            sources.add(new DirectoryResume.File(table, absolute.toString(), () -> Files.newInputStream(absolute)));
        }
        Map<Table, LoadResult> loaded = options.restart() ? Map.of() : resume.loadedBeforeTheStop(sources);
        List<LoadResult> results = new ArrayList<>();
        for (Table table : Table.values()) {
            LoadResult done = loaded.get(table);
            results.add(done != null ? done : load(table, files.get(table.ordinal()), forFile(options, table)));
        }
        return results;
    }

    @Override
    public List<LoadResult> loadDirectory(URI dir, LoadOptions options) {
        if (!S3Location.isS3(dir)) {
            return loadDirectory(localPath(dir), options);
        }
        ArchiveStore store = sources.at(S3Location.parse(dir).asPrefix().toUri());
        for (Table table : Table.values()) {
            boolean present;
            try {
                present = store.list(table.fileName()).contains(table.fileName());
            } catch (IOException e) {
                throw new HiringException(Code.SOURCE_NOT_FOUND, e.getMessage(), e);
            }
            if (!present) {
                throw new HiringException(Code.SOURCE_NOT_FOUND, "There is no " + store.locate(table.fileName())
                        + "; a directory needs departments.csv, jobs.csv and hired_employees.csv.");
            }
        }
        List<DirectoryResume.File> sources = new ArrayList<>();
        for (Table table : Table.values()) {
            sources.add(new DirectoryResume.File(table, store.locate(table.fileName()), () -> store.open(table.fileName())));
        }
        Map<Table, LoadResult> loaded = options.restart() ? Map.of() : resume.loadedBeforeTheStop(sources);
        List<LoadResult> results = new ArrayList<>();
        for (Table table : Table.values()) {
            LoadResult done = loaded.get(table);
            results.add(done != null ? done : load(table, store, table.fileName(), forFile(options, table)));
        }
        return results;
    }

    /** The options of one file of a directory load: each file's load has an idempotency key of its own. */
    private static LoadOptions forFile(LoadOptions o, Table table) {
        return new LoadOptions(o.header(), o.chunkSize(), o.progress(), o.restart(), o.madeBy(),
                o.idempotencyKey().map(key -> key + "|" + table.sqlName()), o.contentSha256());
    }

    /** A file: URI, or one without a scheme, as a local path. */
    private static Path localPath(URI source) {
        if (source.getScheme() == null) {
            return Path.of(source.getPath());
        }
        if ("file".equalsIgnoreCase(source.getScheme())) {
            return Path.of(source);
        }
        throw new HiringException(Code.INVALID_ARGUMENT, "A source is an s3:// or file: URI, not " + source);
    }

    @Override
    public Optional<Department> department(int id) {
        return ReadRouting.read(lookups, () -> lookupSql.selectFrom(DEPARTMENTS).where(DEPARTMENTS.ID.eq(id))
                .fetchOptional().map(r -> new Department(r.getId(), r.getDepartment())));
    }

    @Override
    public Optional<Job> job(int id) {
        return ReadRouting.read(lookups, () -> lookupSql.selectFrom(JOBS).where(JOBS.ID.eq(id)).fetchOptional()
                .map(r -> new Job(r.getId(), r.getJob())));
    }

    @Override
    public Optional<HiredEmployee> hiredEmployee(int id) {
        return ReadRouting.read(lookups, () -> lookupSql.selectFrom(HIRED_EMPLOYEES).where(HIRED_EMPLOYEES.ID.eq(id))
                .fetchOptional().map(PgHiringRepository::hiredEmployee));
    }

    @Override
    public Page<Department> departments(Integer afterId, int limit) {
        return page(DEPARTMENTS, DEPARTMENTS.ID, afterId, limit, r -> new Department(r.get(DEPARTMENTS.ID),
                r.get(DEPARTMENTS.DEPARTMENT)));
    }

    @Override
    public Page<Job> jobs(Integer afterId, int limit) {
        return page(JOBS, JOBS.ID, afterId, limit, r -> new Job(r.get(JOBS.ID), r.get(JOBS.JOB)));
    }

    @Override
    public Page<HiredEmployee> hiredEmployees(Integer afterId, int limit) {
        return page(HIRED_EMPLOYEES, HIRED_EMPLOYEES.ID, afterId, limit,
                r -> hiredEmployee(r.into(HIRED_EMPLOYEES)));
    }

    private <T> Page<T> page(org.jooq.Table<?> table, Field<Integer> id, Integer afterId, int limit,
            Function<Record, T> map) {
        if (limit < 1 || limit > 10_000) {
            throw new HiringException(Code.INVALID_ARGUMENT, "A page holds 1 to 10000 rows, not " + limit);
        }
        List<Record> rows = ReadRouting.read(lookups, () -> lookupSql.select().from(table)
                .where(afterId == null ? DSL.noCondition() : id.gt(afterId)).orderBy(id).limit(limit + 1).fetch());
        boolean more = rows.size() > limit;
        List<Record> shown = more ? rows.subList(0, limit) : rows;
        List<T> items = shown.stream().map(map).toList();
        return new Page<>(items, more ? Optional.of(shown.get(shown.size() - 1).get(id)) : Optional.empty());
    }

    private static HiredEmployee hiredEmployee(HiredEmployeesRecord r) {
        return new HiredEmployee(r.getId(), r.getName(), r.getDatetime().toInstant(), r.getDepartmentId(),
                r.getJobId());
    }

    @Override
    public long count(Table table) {
        return sql.fetchCount(DSL.table(DSL.name(table.sqlName())));
    }

    @Override
    public List<Rejection> rejections(UUID loadOrBatchId) {
        return withLookupConnection(c -> log.read(c, REJECTIONS.LOAD_ID.eq(loadOrBatchId),
                List.of(REJECTIONS.RECORD_NUMBER.asc(), REJECTIONS.ID.asc()), 0));
    }

    @Override
    public List<Rejection> recentRejections(String source, int limit) {
        return withLookupConnection(c -> log.read(c, source == null ? DSL.noCondition() : REJECTIONS.SOURCE.eq(source),
                List.of(REJECTIONS.ID.desc()), limit));
    }

    @Override
    public RejectionPage rejections(UUID loadOrBatchId, String source, Long after, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new HiringException(Code.INVALID_ARGUMENT, "A page holds 1 to 10000 rows, not " + limit);
        }
        return withLookupConnection(c -> log.page(c, loadOrBatchId, source, after, limit));
    }

    @Override
    public Optional<LoadResult> findLoad(UUID loadId) {
        return loadLog.find(loadId);
    }

    @Override
    public List<LoadResult> loads(int limit) {
        return loadLog.recent(limit);
    }

    private interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    private <T> T withLookupConnection(SqlWork<T> work) {
        return ReadRouting.read(lookups, () -> {
            try (Connection connection = lookups.getConnection()) {
                return work.apply(connection);
            } catch (SQLException e) {
                throw DatabaseFailures.translate("A query failed", e);
            }
        });
    }
}
