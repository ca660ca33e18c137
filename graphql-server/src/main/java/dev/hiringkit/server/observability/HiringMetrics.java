package dev.hiringkit.server.observability;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.ReplicaStatus;
import dev.hiringkit.Table;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadProgress;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The server's meters, in the Prometheus format at {@code /metrics}: GraphQL requests, rows inserted and
 * rejected, loads, batch sizes, idempotent replays, backups, the database and its pool, the JVM. Every
 * label takes values from a small fixed set (schema fields, tables, reason codes, outcomes), never from
 * what a client chooses, so that the number of series stays bounded.
 */
public final class HiringMetrics implements AutoCloseable {

    /** The operations that take an idempotency key: their replay counters exist from the start, at 0. */
    private static final List<String> IDEMPOTENT_OPERATIONS = List.of("ingest", "uploadCsv", "loadHistorical",
            "backup", "restore");
    /**
     * Latency buckets, 5 ms to 60 s: a lookup takes milliseconds, a 1000-row batch about 20 ms, a report
     * 0.2-0.3 s, a 5M-row load or backup 10-20 s. Fixed buckets keep each operation at 13 series instead of
     * the 70 of Micrometer's percentile histogram.
     */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};
    /** Batch size buckets (rows; a batch holds 1 to 1000). */
    private static final double[] BATCH_BUCKETS = {1, 10, 100, 250, 500, 1000};
    /**
     * How long the backup catalog and the database check are reused: one S3 list (or one connection) per
     * minute, or per 10 s, whatever the scrape interval; a backup through this server updates it at once.
     */
    private static final Duration CATALOG_TTL = Duration.ofMinutes(1);
    private static final Duration DATABASE_CHECK_TTL = Duration.ofSeconds(10);

    /** How a GraphQL request ended, for the {@code outcome} label. */
    public enum Outcome {
        /** Answered with data and no error. */
        OK,
        /** Executed, with errors in the answer (a refused row is not one: it is data). */
        ERROR,
        /** Not a GraphQL request the server runs: malformed, invalid, too large or too costly. */
        BAD_REQUEST,
        /** No token, or an invalid one. */
        UNAUTHENTICATED,
        /** The database could not be reached (503 {@code DATABASE_UNAVAILABLE}). */
        DATABASE_UNAVAILABLE,
        /** Anything else the server failed at (5xx). */
        INTERNAL_ERROR,
        /** Refused while a historical load keeps writers out of its table (503 {@code TABLE_BUSY}). */
        TABLE_BUSY,
        /** Refused because this instance is stopping (503 {@code SHUTTING_DOWN}). */
        SHUTTING_DOWN;

        /** The value of the {@code outcome} label. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final PrometheusMeterRegistry registry;
    private final Set<RunningLoad> running = new CopyOnWriteArraySet<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile LoadingCache<String, LastBackup> catalog;

    private HiringMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        // Two of Micrometer's processor meters break Prometheus's naming rules (promtool check metrics says
        // so): process.cpu.time counts nanoseconds (process_cpu_usage stays), and system_cpu_count is a
        // gauge named like a summary's count.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        for (String operation : IDEMPOTENT_OPERATIONS) {
            replays(operation);
        }
        Gauge.builder("hiring.loads.running", running, Set::size)
                .description("Loads running on this instance").register(registry);
        Gauge.builder("hiring.load.read", running, loads -> loads.stream().mapToLong(l -> l.bytesRead).sum())
                .baseUnit("bytes").description("Bytes of their sources the running loads have read").register(registry);
        Gauge.builder("hiring.load.source", running, loads -> loads.stream().mapToLong(l -> Math.max(0, l.totalBytes)).sum())
                .baseUnit("bytes").description("Size of the running loads' sources, where known").register(registry);
        Gauge.builder("hiring.load.read.rows", running, loads -> loads.stream().mapToLong(l -> l.rowsRead).sum())
                .description("Records the running loads have read").register(registry);
    }

    /** Meters in a new Prometheus registry, with the JVM's and the process's. */
    public static HiringMetrics create() {
        return new HiringMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Stops listening for the JVM's garbage collections: the listener Micrometer registers with each
     * collector's MXBean would otherwise outlive the server and keep this registry reachable. The server
     * made by {@code HiringServer.newServer} calls it when it stops; the other meters stay readable.
     */
    @Override
    public void close() {
        gc.close();
    }

    /** The registry, for binding more meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Every meter in the Prometheus text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    // ---- requests ------------------------------------------------------------------------------

    /**
     * One GraphQL request: {@code type} query, mutation or subscription (or {@code none} when refused before
     * its document was read), {@code operation} its root field (see {@link OperationLabel}).
     */
    public void request(String type, String operation, Outcome outcome, long nanos) {
        Timer.builder("hiring.graphql.requests")
                .description("GraphQL requests by operation type, root field and outcome")
                .tags("type", type, "operation", operation, "outcome", outcome.label())
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    // ---- rows ------------------------------------------------------------------------------------

    /** What an ingest batch did: rows inserted and rejected per table, its reasons, its size. */
    public void batch(BatchResult result) {
        int size = 0;
        for (var entry : result.tables().entrySet()) {
            BatchResult.TableOutcome outcome = entry.getValue();
            Table table = entry.getKey();
            size += outcome.inserted() + outcome.rejected().size();
            inserted(table, "batch").increment(outcome.inserted());
            rejected(table, "batch").increment(outcome.rejected().size());
            for (BatchResult.RejectedRow row : outcome.rejected()) {
                // Each reason once per row, as LoadResult.rejectedByCode counts them.
                Set<ReasonCode> codes = EnumSet.noneOf(ReasonCode.class);
                row.reasons().stream().map(Violation::code).forEach(codes::add);
                codes.forEach(code -> reasons(table, code, "batch").increment());
            }
        }
        DistributionSummary.builder("hiring.batch.size").baseUnit("rows")
                .description("Rows per ingest batch, all tables together")
                .serviceLevelObjectives(BATCH_BUCKETS)
                .register(registry).record(size);
    }

    /** What a finished (or failed) load did. */
    public void loaded(LoadResult result) {
        inserted(result.table(), "load").increment(result.inserted());
        rejected(result.table(), "load").increment(result.rejected());
        result.rejectedByCode().forEach((code, count) -> reasons(result.table(), code, "load").increment(count));
        Counter.builder("hiring.loads").description("Loads ended on this instance, by table and status")
                .tags("table", result.table().name(), "status", result.status().name()).register(registry).increment();
    }

    private Counter inserted(Table table, String via) {
        return Counter.builder("hiring.rows.inserted").description("Rows inserted, by table and path (batch or load)")
                .tags("table", table.name(), "via", via).register(registry);
    }

    private Counter rejected(Table table, String via) {
        return Counter.builder("hiring.rows.rejected").description("Rows rejected, by table and path (batch or load)")
                .tags("table", table.name(), "via", via).register(registry);
    }

    private Counter reasons(Table table, ReasonCode code, String via) {
        return Counter.builder("hiring.rejection.reasons")
                .description("Reasons of rejected rows, by code: a row with two reasons counts under both")
                .tags("table", table.name(), "code", code.name(), "via", via).register(registry);
    }

    // ---- loads -----------------------------------------------------------------------------------

    /**
     * {@code run} counted among the running loads while it runs, its progress followed through the options'
     * progress hook (which it still tells), and its results counted when it ends.
     */
    public Function<LoadOptions, List<LoadResult>> observed(Function<LoadOptions, List<LoadResult>> run) {
        return options -> {
            RunningLoad load = new RunningLoad(options.progress());
            running.add(load);
            try {
                List<LoadResult> results = run.apply(options.withProgress(load));
                // A replayed load was counted where it ran.
                results.stream().filter(result -> !result.replayed()).forEach(this::loaded);
                return results;
            } finally {
                running.remove(load);
            }
        };
    }

    private static final AttributeKey<Long> ROWS_READ = AttributeKey.longKey("hiring.load.rows_read");
    private static final AttributeKey<Long> BYTES_READ = AttributeKey.longKey("hiring.load.bytes_read");

    /** A load's latest progress; the hook it wraps is still told everything. */
    private static final class RunningLoad implements LoadProgress {
        private final LoadProgress inner;
        volatile long bytesRead;
        volatile long totalBytes = -1;
        volatile long rowsRead;

        RunningLoad(LoadProgress inner) {
            this.inner = inner;
        }

        @Override
        public void update(long bytesRead, long totalBytes, long rowsRead) {
            this.bytesRead = bytesRead;
            this.totalBytes = totalBytes;
            this.rowsRead = rowsRead;
            // The load's span (a load run in a request) gets an event per committed chunk.
            Span.current().addEvent("chunk committed", Attributes.of(ROWS_READ, rowsRead, BYTES_READ, bytesRead));
            inner.update(bytesRead, totalBytes, rowsRead);
        }

        @Override
        public void started(Table table, String source, long totalBytes) {
            this.bytesRead = 0;
            this.totalBytes = totalBytes;
            this.rowsRead = 0;
            inner.started(table, source, totalBytes);
        }

        @Override
        public void recorded(UUID loadId) {
            inner.recorded(loadId);
        }
    }

    // ---- idempotency -----------------------------------------------------------------------------

    /**
     * An idempotent replay: a request whose idempotency key had already run answered with the stored
     * result. {@code operation} is the mutation's name (ingest, uploadCsv, loadHistorical, backup, restore).
     */
    public void replayed(String operation) {
        replays(operation).increment();
    }

    private Counter replays(String operation) {
        return Counter.builder("hiring.idempotent.replays")
                .description("Requests answered with the stored result of an earlier one with the same idempotency key")
                .tag("operation", operation).register(registry);
    }

    // ---- backups ---------------------------------------------------------------------------------

    /** The newest backup's time and size, read from the catalog at most once a minute. */
    private record LastBackup(double timestampSeconds, double bytes) {
        static final LastBackup NONE = new LastBackup(Double.NaN, Double.NaN);

        static LastBackup of(List<Backup> backups) {
            return backups.stream().max(java.util.Comparator.comparing(Backup::createdAt))
                    .map(b -> new LastBackup(b.createdAt().toEpochMilli() / 1000.0,
                            b.tables().stream().mapToLong(Backup.TableFile::bytes).sum()))
                    .orElse(NONE);
        }
    }

    /**
     * Gauges of the newest complete backup in {@code catalog} (the archiver's list): when it was taken and
     * its bytes. None yet, or a catalog that cannot be read: no value (NaN), which an alert on age treats as
     * missing.
     */
    public void backups(Supplier<List<Backup>> catalog) {
        this.catalog = Caffeine.newBuilder().expireAfterWrite(CATALOG_TTL).maximumSize(1)
                .build(key -> LastBackup.of(catalog.get()));
        Gauge.builder("hiring.backup.last.success.timestamp", this, m -> m.lastBackup().timestampSeconds())
                .baseUnit("seconds").description("When the newest complete backup was taken, in Unix time")
                .register(registry);
        Gauge.builder("hiring.backup.last.size", this, m -> m.lastBackup().bytes())
                .baseUnit("bytes").description("The newest complete backup's size").register(registry);
    }

    /** A backup this instance just completed: the gauges show it without waiting for the catalog. */
    public void backedUp(Backup backup) {
        Counter.builder("hiring.backups").description("Backups completed on this instance").register(registry)
                .increment();
        LoadingCache<String, LastBackup> cache = catalog;
        if (cache != null) {
            cache.put("", LastBackup.of(List.of(backup)));
        }
    }

    private LastBackup lastBackup() {
        LoadingCache<String, LastBackup> cache = catalog;
        if (cache == null) {
            return LastBackup.NONE;
        }
        try {
            return cache.get("");
        } catch (RuntimeException e) {
            return LastBackup.NONE;
        }
    }

    // ---- the database ----------------------------------------------------------------------------

    /**
     * {@code hiring_database_up} (1 when a connection of {@code dataSource} answers, checked at most every
     * 10 s), and HikariCP's own meters ({@code hikaricp_*}) when it is a HikariCP pool not yet measured.
     */
    public void database(DataSource dataSource) {
        if (dataSource instanceof HikariDataSource pool && pool.getMetricRegistry() == null
                && pool.getMetricsTrackerFactory() == null) {
            pool.setMetricRegistry(registry);
        }
        LoadingCache<String, Boolean> up = Caffeine.newBuilder().expireAfterWrite(DATABASE_CHECK_TTL).maximumSize(1)
                .build(key -> reachable(dataSource));
        Gauge.builder("hiring.database.up", up, cache -> cache.get("") ? 1 : 0).strongReference(true)
                .description("1 when the database answers, 0 when it cannot be reached").register(registry);
    }

    /**
     * Where reads go ({@code hiring_reads_from_replica}: 1 replica, 0 primary) and the replica's measured
     * lag ({@code hiring_replica_lag_seconds}; NaN when unknown or when there is none). The kit measures
     * at most once a second, so a scrape costs no query.
     */
    public void replica(Supplier<ReplicaStatus> status) {
        Gauge.builder("hiring.reads.from.replica", status, s -> s.get().readsFrom() == ReplicaStatus.ReadsFrom.REPLICA ? 1 : 0)
                .strongReference(true).description("1 while reports and lookups read from the replica, 0 from the primary")
                .register(registry);
        Gauge.builder("hiring.replica.lag", status, s -> s.get().lag().map(lag -> lag.toNanos() / 1e9).orElse(Double.NaN))
                .strongReference(true).baseUnit("seconds").description("How far the read replica is behind the primary")
                .register(registry);
    }

    private static boolean reachable(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }
}
