package dev.hiringkit;

import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Archiver;
import dev.hiringkit.reports.Reports;
import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.validation.Validator;
import java.nio.file.Path;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The entry point of the library: give it a PostgreSQL {@link DataSource} and an {@link ArchiveStore},
 * call {@link #migrate()} once, then use its parts.
 *
 * <pre>{@code
 * HiringKit kit = HiringKit.builder().dataSource(ds).archive(ArchiveStore.directory(Path.of("archive"))).build();
 * kit.migrate();
 * kit.repository().loadDirectory(Path.of("data"), LoadOptions.defaults());
 * }</pre>
 */
public final class HiringKit {

    private final DataSource dataSource;
    private final ArchiveStore archive;
    private final Validator validator;
    private final HiringRepository repository;
    private final Reports reports;
    private final Archiver archiver;

    private HiringKit(Builder builder) {
        this.dataSource = Objects.requireNonNull(builder.dataSource, "dataSource is required");
        this.archive = builder.archive;
        this.validator = Validator.standard();
        this.repository = HiringRepository.postgres(dataSource, validator, archive, builder.s3);
        this.reports = Reports.postgres(dataSource);
        this.archiver = Archiver.postgres(dataSource, archive);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates or updates the schema (Flyway), and puts back any key a killed bulk load left dropped.
     * Safe to call at every start, from several processes at once.
     */
    public void migrate() {
        flyway().migrate();
    }

    /**
     * True when every migration of this version of the library is applied: what a server's readiness check
     * asks. A schema migrated further by a newer version counts too, so older instances stay ready during a
     * rolling upgrade.
     */
    public boolean isMigrated() {
        return flyway().info().pending().length == 0;
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

    /** Configures a {@link HiringKit}. */
    public static final class Builder {
        private DataSource dataSource;
        private ArchiveStore archive = ArchiveStore.directory(Path.of("archive"));
        private S3Client s3;

        private Builder() {
        }

        /** The PostgreSQL database (14 or later) that holds the tables. Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /** Where rejects files and backups go; a directory {@code archive} by default. */
        public Builder archive(ArchiveStore archive) {
            this.archive = Objects.requireNonNull(archive);
            return this;
        }

        /**
         * The client that reads {@code s3://} sources of loads, usually the one an S3 archive uses; by
         * default one from {@link ArchiveStore#s3Client}'s defaults, made on first use.
         */
        public Builder s3(S3Client s3) {
            this.s3 = Objects.requireNonNull(s3);
            return this;
        }

        public HiringKit build() {
            return new HiringKit(this);
        }
    }
}
