package dev.hiringkit.server.http;

import dev.hiringkit.server.GracefulStop;
import dev.hiringkit.server.ServerConfig;
import dev.hiringkit.server.graphql.DaemonThreads;
import dev.hiringkit.server.graphql.DocumentCache;
import dev.hiringkit.server.graphql.HiringGraphQL;
import dev.hiringkit.server.http.StaticFiles.Caching;
import graphql.GraphQL;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.compression.gzip.GzipCompression;
import org.eclipse.jetty.compression.server.CompressionConfig;
import org.eclipse.jetty.compression.server.CompressionHandler;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;

/** The server's paths and the handler of each, behind one compression handler. */
public final class Routes {

    /**
     * Answers smaller than this go as they are. Under 1 KiB, an answer and its headers fit in one TCP
     * segment (1460 bytes) compressed or not, so gzip would cost CPU and save no packet.
     */
    static final int MIN_COMPRESS_BYTES = 1024;

    /** Where our own pages are on the classpath. */
    private static final String PAGES = "dev/hiringkit/server/http/";

    private Routes() {
    }

    /**
     * The routes: the health checks first, answering through a stop, then everything else behind
     * {@code requests}, which counts the requests in flight and refuses new ones once the instance stops.
     */
    public static Handler handler(ServerConfig config, GracefulStop stop, GracefulHandler requests) {
        PathMappingsHandler routes = new PathMappingsHandler();
        GraphQL executable = HiringGraphQL.build(config.kit(), config.auth(), config.loadRoot(), config.s3LoadRoot(),
                config.maxDepth(), config.maxComplexity(), config.maxCost(), config.metrics(), config.openTelemetry(),
                stop);
        PersistedQueries persisted = new PersistedQueries(DocumentCache.of(executable), config.registeredDocuments(),
                config.onlyRegisteredDocuments());
        Handler graphQL = new ObservedGraphQL(new GraphQLHandler(executable, config.auth(), config.maxBodyBytes(),
                config.maxUploadBytes(), config.introspection(), persisted, DaemonThreads.scheduler("hiring-sse"), stop),
                config.metrics(), config.openTelemetry());
        routes.addMapping(PathSpec.from("/graphql"), graphQL);
        // Where graphql-sse's clients look by default; the same handler, for any operation.
        routes.addMapping(PathSpec.from("/graphql/stream"), graphQL);
        routes.addMapping(PathSpec.from("/favicon.ico"), StaticFiles.file(PAGES, "favicon.svg", Caching.REVALIDATE));
        routes.addMapping(PathSpec.from("/token"), new TokenHandler(config.auth()));
        StaticFiles graphiql = StaticFiles.directory("/graphiql", PAGES + "graphiql/", Caching.REVALIDATE);
        routes.addMapping(PathSpec.from("/graphiql/*"), graphiql);
        routes.addMapping(PathSpec.from("/graphiql"), graphiql);
        StaticFiles dashboard = StaticFiles.directory("/dashboard", PAGES + "dashboard/", Caching.REVALIDATE);
        routes.addMapping(PathSpec.from("/dashboard/*"), dashboard);
        routes.addMapping(PathSpec.from("/dashboard"), dashboard);
        // A webjar's path names its version (/webjars/graphiql/2.4.7/...): a new version is a new URL.
        routes.addMapping(PathSpec.from("/webjars/*"), StaticFiles.directory("/webjars", "META-INF/resources/webjars/",
                Caching.IMMUTABLE));
        requests.setHandler(routes);
        BooleanSupplier migrated = () -> config.kit().isMigrated() && config.auth().users().isMigrated();
        HealthHandler ready = new HealthHandler(HealthHandler.Check.READY, config.dataSource(), migrated, stop);
        HealthFirst top = new HealthFirst(Map.of(
                "/health/live", new HealthHandler(HealthHandler.Check.LIVE, config.dataSource(), migrated, stop),
                "/health/ready", ready,
                // The first health check, kept: the same as ready, which it always was in all but name.
                "/health", ready), requests);
        return compressed(top);
    }

    /**
     * The health checks, answered before the request counter: a stopping instance still says it is alive and
     * not ready. (One PathMappingsHandler cannot sit inside another: the inner one finds no context path.)
     */
    private static final class HealthFirst extends Handler.Wrapper {
        private final Map<String, Handler> checks;

        HealthFirst(Map<String, Handler> checks, Handler rest) {
            super(rest);
            this.checks = checks;
            checks.values().forEach(this::addBean);
        }

        @Override
        public void setServer(Server server) {
            super.setServer(server);
            checks.values().forEach(check -> check.setServer(server));
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Handler check = checks.get(Request.getPathInContext(request));
            return check != null ? check.handle(request, response, callback) : super.handle(request, response, callback);
        }
    }

    /**
     * gzip for text answers of {@link #MIN_COMPRESS_BYTES} or more to clients that accept it: pages,
     * scripts, styles and GraphQL answers (GraphiQL's script and style: 1.4 MB raw). Brotli and zstd,
     * which Jetty also offers, load native code through JNI (brotli4j, zstd-jni), and Chromium asks for
     * them only over HTTPS, which this server leaves to the proxy in front of it: gzip only.
     */
    private static Handler compressed(Handler routes) {
        GzipCompression gzip = new GzipCompression();
        gzip.setMinCompressSize(MIN_COMPRESS_BYTES);
        CompressionHandler compression = new CompressionHandler(routes);
        compression.putCompression(gzip);
        compression.putConfiguration("/", CompressionConfig.builder().defaults()
                // curl -I and other HEAD requests see the headers a GET gets.
                .compressIncludeMethod(HttpMethod.HEAD.asString())
                // A token next to request-chosen text in a compressed answer is what BREACH reads out
                // from the answer's size; /token's answer is mostly the token, and under 1 KiB anyway.
                .compressExcludePath("/token")
                // An event must reach the client when it is sent, not when a compressor's buffer fills.
                .compressExcludeMimeType("text/event-stream")
                // Only answers are compressed: request bodies reach the handlers as sent, under the
                // content-type and size rules /graphql and /token already state.
                .decompressExcludePath("/*")
                .build());
        return compression;
    }

    /**
     * The handler of the metrics port: {@code /metrics} only, for the requests of the connector named
     * {@link #METRICS_CONNECTOR}.
     */
    public static Handler metrics(ServerConfig config) {
        return new MetricsHandler(config.metrics());
    }

    /** The name of the metrics port's connector. */
    public static final String METRICS_CONNECTOR = "metrics";

    /** The answer when no route gives one, for {@code Server.setErrorHandler}: JSON, as from the routes. */
    public static Request.Handler errorHandler(GracefulStop stop) {
        return new JsonErrorHandler(stop);
    }
}
