package dev.hiringkit.server.graphql;

import dev.hiringkit.HiringKit;
import dev.hiringkit.server.GracefulStop;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.User;
import dev.hiringkit.server.observability.HiringMetrics;
import graphql.GraphQL;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.scalars.ExtendedScalars;
import graphql.schema.DataFetcher;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The GraphQL schema of the server wired to the library: one operation per thing the library does. The
 * fetchers live by area ({@link LookupFetchers}, {@link ReportFetchers}, {@link IngestFetcher},
 * {@link LoadFetchers}, {@link ArchiveFetchers}, {@link SignInFetchers}), each root field behind the
 * {@link AccessPolicy}; the library's records are the answers, read by graphql-java's property fetching.
 */
public final class HiringGraphQL {

    /** GraphQLContext key of the signed-in {@link User}, absent for an anonymous request. */
    public static final String USER = "hiring.user";
    /** GraphQLContext key of the caller's address, for sign-in throttling. */
    public static final String ADDRESS = "hiring.address";
    /** GraphQLContext key of the request's {@code Idempotency-Key} header, absent when it has none. */
    public static final String IDEMPOTENCY_KEY = "hiring.idempotencyKey";
    /** GraphQLContext key of the request's {@link IdempotentReplays}. */
    public static final String REPLAYS = "hiring.replays";

    private HiringGraphQL() {
    }

    /** The executable GraphQL alone (tests of the schema): its own meters, no spans, no graceful stop. */
    public static GraphQL build(HiringKit kit, Auth auth, Path loadRoot, URI s3LoadRoot, int maxDepth,
            int maxComplexity, long maxCost) {
        return build(kit, auth, loadRoot, s3LoadRoot, maxDepth, maxComplexity, maxCost, HiringMetrics.create(),
                OpenTelemetry.noop(), null);
    }

    /**
     * Builds the executable GraphQL: {@code loadRoot} is the only directory, and {@code s3LoadRoot} (null
     * for none) the only S3 prefix, {@code loadHistorical} reads from; an operation's depth, fields and
     * cost (see {@link OperationLimits}) are limited as given; rows, loads and backups are counted in
     * {@code metrics}, SQL groups traced to {@code openTelemetry}; background loads end with {@code stop}
     * (null: none).
     */
    public static GraphQL build(HiringKit kit, Auth auth, Path loadRoot, URI s3LoadRoot, int maxDepth,
            int maxComplexity, long maxCost, HiringMetrics metrics, OpenTelemetry openTelemetry, GracefulStop stop) {
        AsyncLoads async = new AsyncLoads();
        if (stop != null) {
            stop.register(async);
        }
        IdempotencyKeys keys = new IdempotencyKeys(metrics);
        GraphQLSchema schema = schema(new LookupFetchers(kit.repository()), new ReportFetchers(kit.reports()),
                new IngestFetcher(kit.repository(), keys, metrics),
                new LoadFetchers(kit.repository(), loadRoot, s3LoadRoot, async, keys, metrics),
                new ArchiveFetchers(kit, keys, metrics), new SignInFetchers(auth));
        OperationLimits.requireListSizes(schema);
        AccessPolicy.requireRules(schema);
        return GraphQL.newGraphQL(schema)
                .instrumentation(new ChainedInstrumentation(new OperationLimits(maxDepth, maxComplexity, maxCost),
                        new SqlSpans(openTelemetry.getTracer("dev.hiringkit.server"))))
                .defaultDataFetcherExceptionHandler(new ErrorMapping())
                .preparsedDocumentProvider(new DocumentCache(schema))
                .build();
    }

    private static GraphQLSchema schema(LookupFetchers lookups, ReportFetchers reports, IngestFetcher ingest,
            LoadFetchers loads, ArchiveFetchers archive, SignInFetchers signIn) {
        Map<String, DataFetcher<?>> query = Map.of("departments", lookups::departments, "jobs", lookups::jobs,
                "hiredEmployees", lookups::hiredEmployees, "rejections", lookups::rejections, "loads", lookups::loads,
                "hiresByQuarter", reports::hiresByQuarter, "departmentsAboveMean", reports::departmentsAboveMean,
                "me", signIn::me, "backups", archive::backups);
        Map<String, DataFetcher<?>> mutation = Map.of("login", signIn::login, "ingest", ingest::ingest,
                "loadHistorical", loads::loadHistorical, "backup", archive::backup, "restore", archive::restore,
                "uploadCsv", loads::uploadCsv);
        Map<String, DataFetcher<?>> subscription = Map.of("loadProgress", loads::loadProgress,
                "loadStarted", loads::loadStarted);
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .scalar(Scalars.DATE_TIME)
                .scalar(ExtendedScalars.GraphQLLong)
                .scalar(Scalars.UPLOAD)
                .type("Query", q -> q.dataFetchers(AccessPolicy.guarded(query)))
                .type("Mutation", m -> m.dataFetchers(AccessPolicy.guarded(mutation)))
                .type("Subscription", s -> s.dataFetchers(AccessPolicy.guarded(subscription)))
                // Where a field's name is not the record's: the rest are read by name.
                .type("Load", t -> t.dataFetcher("id", LoadFetchers::id)
                        .dataFetcher("rejectedByCode", LoadFetchers::rejectedByCode))
                .type("IngestResult", t -> t.dataFetcher("tables", IngestFetcher::tables))
                .build();
        return new SchemaGenerator().makeExecutableSchema(ParsedSchemaFile.TYPES, wiring);
    }

    /**
     * Parses the schema file, once per JVM, if not yet done: {@code hiring serve} calls it on a second thread
     * while this one signs in to the database, so that {@link #build} finds it parsed (about half of the
     * schema's build, 0.15-0.35 s of serve's start on this 2-core machine).
     */
    public static void parseSchemaFile() {
        Objects.requireNonNull(ParsedSchemaFile.TYPES);
    }

    /** The schema file's types, parsed at the first use; only read afterwards (the generator copies them). */
    private static final class ParsedSchemaFile {
        static final TypeDefinitionRegistry TYPES = new SchemaParser().parse(sdl());
    }

    private static String sdl() {
        try (InputStream in = HiringGraphQL.class.getResourceAsStream("schema.graphqls")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
