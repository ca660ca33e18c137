package dev.hiringkit;

import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Archiver;
import dev.hiringkit.internal.ApiBoundary;
import dev.hiringkit.internal.archive.ClientOwner;
import dev.hiringkit.internal.archive.DefaultS3Sources;
import dev.hiringkit.internal.archive.PgArchiver;
import dev.hiringkit.internal.db.IdempotencyKeys;
import dev.hiringkit.internal.db.ReadRouting;
import dev.hiringkit.internal.db.SchemaCheck;
import dev.hiringkit.internal.reports.PgReports;
import dev.hiringkit.internal.repository.PgHiringRepository;
import dev.hiringkit.internal.validation.StandardValidator;
import dev.hiringkit.reports.Reports;
import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.repository.SourceReader;
import dev.hiringkit.validation.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The entry point of the library: give it a PostgreSQL {@link DataSource} and an {@link ArchiveStore},
 * call {@link #migrate()} once, then use its parts; {@link #close()} it when done.
 *
 * <pre>{@code
 * HiringKit kit = HiringKit.builder().dataSource(ds).archive(ArchiveStore.directory(Path.of("archive"))).build();
 * kit.migrate();
 * kit.repository().loadDirectory(Path.of("data"), LoadOptions.defaults());
 * }</pre>
 */
public final class HiringKit implements AutoCloseable {

    /** How long idempotency keys are kept unless {@link Builder#idempotencyRetention} says otherwise: 24 hours. */
    public static final Duration DEFAULT_IDEMPOTENCY_RETENTION = IdempotencyKeys.DEFAULT_RETENTION;

    /** How far behind the primary a read replica may be for reads to use it, unless configured. */
    public static final Duration DEFAULT_MAX_REPLICA_LAG = Duration.ofSeconds(10);

    private final DataSource dataSource;
    private final ReadRouting reads;
    private final ArchiveStore archive;
    private final Validator validator;
    private final HiringRepository repository;
    private final Reports reports;
    private final Archiver archiver;
    /** What the kit made (an S3 client for s3:// sources, say), pushed as made: {@link #close()} closes it. */
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    /** Lists this build's migrations once per class loader (25k entries of the shaded jar), not per instance. */
    private static final SchemaCheck SCHEMA = new SchemaCheck("db/migration", "flyway_schema_history",
            SchemaCheck.CORE_KEYS_IN_PLACE, HiringKit.class);

    private HiringKit(Builder builder) {
        if (builder.dataSource == null) {
            throw new HiringException(HiringException.Code.INVALID_ARGUMENT, "A HiringKit needs a dataSource.");
        }
        this.dataSource = builder.dataSource;
        this.reads = new ReadRouting(dataSource, builder.readDataSource, builder.maxReplicaLag);
        this.archive = builder.archive;
        if (archive instanceof ClientOwner store) {
            store.ownedClient().ifPresent(this::own);
        }
        SourceReader sources = builder.sourceReader != null ? builder.sourceReader : new DefaultS3Sources(this::own);
        // The parts check rows with the validator itself; the guarded one is for callers.
        Validator rules = new StandardValidator();
        this.validator = ApiBoundary.guard(Validator.class, rules);
        IdempotencyKeys idempotency = new IdempotencyKeys(builder.idempotencyRetention);
        // What a part lets out (jOOQ's, the driver's, a bug's exceptions) leaves it as a HiringException.
        this.repository = ApiBoundary.guard(HiringRepository.class,
                new PgHiringRepository(dataSource, reads, rules, archive, sources, idempotency));
        this.reports = ApiBoundary.guard(Reports.class, new PgReports(reads));
        this.archiver = ApiBoundary.guard(Archiver.class, new PgArchiver(dataSource, archive, idempotency));
    }

    /** Closes what the kit made itself, last made first; what it was given (the data source, say) stays open. */
    @Override
    public void close() {
        HiringException failed = null;
        while (true) {
            AutoCloseable next;
            synchronized (owned) {
                next = owned.poll();
            }
            if (next == null) {
                break;
            }
            try {
                next.close();
            } catch (Exception e) {
                if (failed == null) {
                    failed = new HiringException(HiringException.Code.INTERNAL_ERROR,
                            "Closing what the HiringKit made failed: " + e.getMessage(), e);
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** Takes {@code made} for {@link #close()} to close; it may come from any thread (a first s3:// load). */
    private void own(AutoCloseable made) {
        synchronized (owned) {
            owned.push(made);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates or updates the schema (Flyway), and puts back any key a killed bulk load left dropped.
     * Safe to call at every start, from several processes at once.
     */
    public void migrate() {
        try {
            // A database already current (the usual start) costs one query instead of Flyway's run.
            if (!SCHEMA.isCurrent(dataSource)) {
                flyway().migrate();
            }
        } catch (RuntimeException e) {
            throw ApiBoundary.translate("Migrating the schema", e);
        }
    }

    /**
     * True when every migration of this version of the library is applied: what a server's readiness check
     * asks. A schema migrated further by a newer version counts too, so older instances stay ready during a
     * rolling upgrade.
     */
    public boolean isMigrated() {
        try {
            return SCHEMA.isMigrated(dataSource) || flyway().info().pending().length == 0;
        } catch (RuntimeException e) {
            throw ApiBoundary.translate("Checking the schema", e);
        }
    }

    /**
     * Flyway's PostgreSQL lock is transactional by default ({@code pg_try_advisory_xact_lock} in each
     * migration's transaction), so instances starting at once migrate one after another, also through
     * PgBouncer's transaction pooling (ConcurrentStartTest in the server starts four at once).
     */
    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
    }

    public HiringRepository repository() {
        return repository;
    }

    public Reports reports() {
        return reports;
    }

    public Archiver archiver() {
        return archiver;
    }

    public Validator validator() {
        return validator;
    }

    public ArchiveStore archive() {
        return archive;
    }

    /**
     * Where reports and lookups read now (the read replica or the primary), why, and the replica's lag:
     * for health pages and metrics. Cheap: it uses the last measurement (at most a second old while reads
     * come) and starts the next one in the background when due; only the first call (or the first read)
     * waits for a measurement, a second at most beyond the two queries it makes.
     */
    public ReplicaStatus replicaStatus() {
        return reads.status();
    }

    /** Configures a {@link HiringKit}. */
    public static final class Builder {
        private DataSource dataSource;
        private ArchiveStore archive = ArchiveStore.directory(Path.of("archive"));
        private SourceReader sourceReader;
        private Duration idempotencyRetention = IdempotencyKeys.DEFAULT_RETENTION;
        private DataSource readDataSource;
        private Duration maxReplicaLag = DEFAULT_MAX_REPLICA_LAG;

        private Builder() {
        }

        /** The PostgreSQL database (14 or later) that holds the tables. Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /**
         * Where rejects files and backups go; a directory {@code archive} by default, or S3
         * ({@link dev.hiringkit.archive.s3.S3Archive#store}).
         */
        public Builder archive(ArchiveStore archive) {
            this.archive = required(archive, "archive");
            return this;
        }

        /**
         * What reads the {@code s3://} sources of loads, such as
         * {@link dev.hiringkit.archive.s3.S3Archive#sourceReader}; by default one with an S3 client from the
         * AWS SDK's defaults, made on the first such source and closed by {@link #close()}.
         */
        public Builder sourceReader(SourceReader sourceReader) {
            this.sourceReader = required(sourceReader, "sourceReader");
            return this;
        }

        /**
         * How long an idempotency key is kept ({@code Batch.withIdempotencyKey}, {@code LoadOptions}'s, a keyed
         * backup or restore): a request sent again with its key within this time gets its first result back.
         * 24 hours by default; expired keys are deleted at most once a minute, after a keyed write.
         */
        public Builder idempotencyRetention(Duration retention) {
            this.idempotencyRetention = IdempotencyKeys.checkRetention(retention);
            return this;
        }

        /**
         * A hot standby of the primary (streaming replication) for reports and lookups: the two reports,
         * rows by id, pages of rows and rejections. Writes, loads and what must see its own writes (the
         * loads and their progress, table counts) use the primary. While the standby is more
         * than {@link #maxReplicaLag(Duration)} behind, or cannot be reached, reads go to the primary.
         * Optional: without it everything uses the primary.
         */
        public Builder readDataSource(DataSource readDataSource) {
            this.readDataSource = readDataSource;
            return this;
        }

        /** The most lag reads from the {@link #readDataSource(DataSource)} tolerate; 10 seconds by default. */
        public Builder maxReplicaLag(Duration maxReplicaLag) {
            if (maxReplicaLag.isNegative()) {
                throw new HiringException(HiringException.Code.INVALID_ARGUMENT,
                        "maxReplicaLag must not be negative, got " + maxReplicaLag);
            }
            this.maxReplicaLag = maxReplicaLag;
            return this;
        }

        private static <T> T required(T value, String name) {
            if (value == null) {
                throw new HiringException(HiringException.Code.INVALID_ARGUMENT, name + " must not be null");
            }
            return value;
        }

        public HiringKit build() {
            return new HiringKit(this);
        }
    }
}
