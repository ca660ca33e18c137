package dev.hiringkit.server;

import dev.hiringkit.HiringKit;
import dev.hiringkit.archive.s3.S3Location;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.observability.HiringMetrics;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What a server needs: the library, the database for users and health, sign-in, and limits. Built with
 * {@link #builder()}.
 *
 * @param port the port, 0 for any free one
 * @param loadRoot the only directory the loadHistorical mutation reads from
 * @param s3LoadRoot the only S3 prefix ({@code s3://bucket/prefix/}) it reads from, or null for none
 * @param maxBodyBytes the largest JSON request body
 * @param maxUploadBytes the largest multipart request (uploadCsv files)
 * @param maxDepth how deep an operation's data fields may nest
 * @param maxComplexity how many data fields an operation may name
 * @param maxCost the largest cost of an operation: the values its answer may hold, rows times fields
 * @param registeredDocuments GraphQL documents known by their SHA-256 from the start (persisted queries)
 * @param onlyRegisteredDocuments allow-list mode: run only the registered documents
 * @param metrics the server's meters
 * @param metricsPort the port of {@code /metrics}, 0 for any free one, -1 (the default) for none
 * @param openTelemetry where the server's spans go; {@link OpenTelemetry#noop()} by default
 * @param shutdownGrace how long a stop waits for requests in flight and background loads
 * @param drainDelay how long a stopping instance keeps serving while not ready, for balancers to notice
 */
public record ServerConfig(HiringKit kit, DataSource dataSource, Auth auth, String host, int port, Path loadRoot,
        URI s3LoadRoot, int maxBodyBytes, long maxUploadBytes, int maxDepth, int maxComplexity, long maxCost,
        boolean introspection, List<String> registeredDocuments, boolean onlyRegisteredDocuments,
        HiringMetrics metrics, int metricsPort, OpenTelemetry openTelemetry, Duration shutdownGrace,
        Duration drainDelay) {

    public ServerConfig {
        registeredDocuments = List.copyOf(registeredDocuments);
        Objects.requireNonNull(kit, "kit");
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(drainDelay, "drainDelay");
    }

    /** The grace period of a stop when none is given: what systemd and Kubernetes give before SIGKILL (90 s, 30 s). */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    /**
     * The drain delay when none is given. HAProxy checking every second and taking a server out after three
     * failed checks ({@code inter 1s fall 3}) needs 3 s; 5 s leaves room for a check already under way.
     */
    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(5);

    /** The cost limit when none is given. */
    public static final long DEFAULT_MAX_COST = 100_000;

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ServerConfig}; everything but the library, database and sign-in has a default. */
    public static final class Builder {
        private HiringKit kit;
        private DataSource dataSource;
        private Auth auth;
        private String host = "localhost";
        private int port = 8080;
        private Path loadRoot = Path.of(".");
        private URI s3LoadRoot;
        private int maxBodyBytes = 4 << 20;
        private long maxUploadBytes = 1L << 30;
        private int maxDepth = 12;
        private int maxComplexity = 1000;
        private long maxCost = DEFAULT_MAX_COST;
        private boolean introspection = true;
        private List<String> registeredDocuments = List.of();
        private boolean onlyRegisteredDocuments;
        private HiringMetrics metrics;
        private int metricsPort = -1;
        private OpenTelemetry openTelemetry = OpenTelemetry.noop();
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private Duration drainDelay = DEFAULT_DRAIN_DELAY;

        private Builder() {
        }

        public Builder kit(HiringKit kit) {
            this.kit = kit;
            return this;
        }

        /**
         * The database of users and health; the library's own. How long its pool waits for a connection is
         * how long a request takes to learn that the database cannot be reached (then a 503): give a pool a
         * short wait, such as HikariCP's {@code connectionTimeout} of 3 s that {@code hiring serve} sets,
         * not HikariCP's default of 30 s.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        public Builder auth(Auth auth) {
            this.auth = auth;
            return this;
        }

        /** The interface to listen on; localhost by default. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder loadRoot(Path loadRoot) {
            this.loadRoot = loadRoot;
            return this;
        }

        /**
         * Lets loadHistorical read {@code s3://} sources under this prefix; without it the server reads
         * none, whatever its S3 credentials reach.
         */
        public Builder s3LoadRoot(URI s3LoadRoot) {
            if (!S3Location.isS3(s3LoadRoot) || s3LoadRoot.getAuthority() == null) {
                throw new IllegalArgumentException("the S3 load root must look like s3://bucket/prefix/, not " + s3LoadRoot);
            }
            this.s3LoadRoot = S3Location.parse(s3LoadRoot).asPrefix().toUri();
            return this;
        }

        /** The largest request body, 4 MiB by default (1000 rows of JSON take about 150 KiB). */
        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** The largest multipart request, 1 GiB by default: uploaded files are streamed, never held. */
        public Builder maxUploadBytes(long maxUploadBytes) {
            this.maxUploadBytes = maxUploadBytes;
            return this;
        }

        public Builder maxDepth(int maxDepth) {
            this.maxDepth = maxDepth;
            return this;
        }

        public Builder maxComplexity(int maxComplexity) {
            this.maxComplexity = maxComplexity;
            return this;
        }

        /**
         * The largest cost of one operation, 100,000 by default: the values its answer may hold, each field
         * counted once per row it can appear in (see the schema's {@code @listSize}). A full page of a
         * 10,000-row report costs about 90,000; 110 of them in one request, 9.9 million, are refused.
         */
        public Builder maxCost(long maxCost) {
            if (maxCost < 1) {
                throw new IllegalArgumentException("the cost limit must be positive, not " + maxCost);
            }
            this.maxCost = maxCost;
            return this;
        }

        public Builder introspection(boolean introspection) {
            this.introspection = introspection;
            return this;
        }

        /**
         * Documents clients may send by their SHA-256 alone (Apollo's automatic persisted queries, which also
         * keeps the documents clients send with their hash); with {@link #onlyRegisteredDocuments} they are
         * the only ones that run.
         */
        public Builder registeredDocuments(List<String> registeredDocuments) {
            this.registeredDocuments = registeredDocuments;
            return this;
        }

        /** Allow-list mode: only the registered documents run, by hash or in full; any other is refused. */
        public Builder onlyRegisteredDocuments(boolean onlyRegisteredDocuments) {
            this.onlyRegisteredDocuments = onlyRegisteredDocuments;
            return this;
        }

        /** The meters to record into; a new {@link HiringMetrics#create()} by default. */
        public Builder metrics(HiringMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /**
         * How long a stop waits, from its first moment, for the requests in flight and the background loads
         * to end; 30 s by default. A load still running then is cut at a chunk's end and resumes when its
         * source is loaded again.
         */
        public Builder shutdownGrace(Duration shutdownGrace) {
            if (shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("the shutdown grace period cannot be negative");
            }
            this.shutdownGrace = shutdownGrace;
            return this;
        }

        /**
         * Serves {@code /metrics} (Prometheus) on this port of the same host, and only there; -1, the default,
         * for no metrics port (the meters are still kept), 0 for any free one.
         */
        public Builder metricsPort(int metricsPort) {
            if (metricsPort < -1 || metricsPort > 65535) {
                throw new IllegalArgumentException("the metrics port must be 0 to 65535, or -1 for none, not " + metricsPort);
            }
            this.metricsPort = metricsPort;
            return this;
        }

        /** Where spans go: a server span per GraphQL request, a child per group of SQL statements. */
        public Builder openTelemetry(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
            return this;
        }

        /**
         * How long a stopping instance keeps serving new requests while its readiness check says 503, so that a
         * balancer takes it out first; 5 s by default, waited only if the readiness check was asked at all, and
         * never longer than the grace period.
         */
        public Builder drainDelay(Duration drainDelay) {
            if (drainDelay.isNegative()) {
                throw new IllegalArgumentException("the drain delay cannot be negative");
            }
            this.drainDelay = drainDelay;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(kit, dataSource, auth, host, port, loadRoot, s3LoadRoot, maxBodyBytes, maxUploadBytes,
                    maxDepth, maxComplexity, maxCost, introspection, registeredDocuments, onlyRegisteredDocuments,
                    metrics != null ? metrics : HiringMetrics.create(), metricsPort, openTelemetry, shutdownGrace,
                    drainDelay);
        }
    }
}
