package dev.hiringkit.server.graphql;

import dev.hiringkit.HiringKit;
import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.Table;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.archive.s3.S3Location;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Page;
import dev.hiringkit.reports.DepartmentsAboveMean;
import dev.hiringkit.reports.HiresByQuarter;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.server.GracefulStop;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.Rejection;
import dev.hiringkit.repository.RejectionPage;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.User;
import dev.hiringkit.server.observability.HiringMetrics;
import dev.hiringkit.validation.Violation;
import graphql.GraphQL;
import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.execution.instrumentation.ChainedInstrumentation;
import io.opentelemetry.api.OpenTelemetry;
import graphql.language.Value;
import graphql.scalars.ExtendedScalars;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Flow;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.commons.codec.digest.DigestUtils;

/** The GraphQL schema of the server wired to the library: one operation per thing the library does. */
public final class HiringGraphQL {

    /** GraphQLContext key of the signed-in {@link User}, absent for an anonymous request. */
    public static final String USER = "hiring.user";
    /** GraphQLContext key of the caller's address, for sign-in throttling. */
    public static final String ADDRESS = "hiring.address";
    /** GraphQLContext key of the request's {@code Idempotency-Key} header, absent when it has none. */
    public static final String IDEMPOTENCY_KEY = "hiring.idempotencyKey";
    /** GraphQLContext key of the request's {@link IdempotentReplays}. */
    public static final String REPLAYS = "hiring.replays";
    /** The mutations that take an idempotency key (argument {@code idempotencyKey}, or the header). */
    public static final Set<String> KEYED_MUTATIONS = Set.of("ingest", "uploadCsv", "loadHistorical", "backup",
            "restore");

    /** The Upload scalar: a {@link FileUpload} the HTTP layer put into the variables; never a literal or a result. */
    private static final GraphQLScalarType UPLOAD = GraphQLScalarType.newScalar()
            .name("Upload")
            .coercing(new Coercing<FileUpload, Void>() {
                @Override
                public FileUpload parseValue(Object input, GraphQLContext context, Locale locale) {
                    if (input instanceof FileUpload upload) {
                        return upload;
                    }
                    throw new CoercingParseValueException("An Upload is a file part of a multipart request, named in"
                            + " its 'map'; its variable is null in 'operations'.");
                }

                @Override
                public FileUpload parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                        Locale locale) {
                    throw new CoercingParseLiteralException("An Upload cannot be written in the document: pass it as a"
                            + " variable of a multipart request.");
                }

                @Override
                public Void serialize(Object result, GraphQLContext context, Locale locale) {
                    throw new CoercingSerializeException("An Upload is input only.");
                }
            })
            .build();

    private final HiringKit kit;
    private final Auth auth;
    private final Path loadRoot;
    private final URI s3LoadRoot;
    private final AsyncLoads async = new AsyncLoads();
    private final LoadFeeds feeds;
    private final HiringMetrics metrics;

    private HiringGraphQL(HiringKit kit, Auth auth, Path loadRoot, URI s3LoadRoot, HiringMetrics metrics,
            GracefulStop stop) {
        if (stop != null) {
            stop.register(async);
        }
        this.kit = kit;
        this.metrics = metrics;
        this.auth = auth;
        this.loadRoot = loadRoot.toAbsolutePath().normalize();
        this.s3LoadRoot = s3LoadRoot;
        this.feeds = new LoadFeeds(kit.repository(), async.timer());
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
        HiringGraphQL api = new HiringGraphQL(kit, auth, loadRoot, s3LoadRoot, metrics, stop);
        GraphQLSchema schema = api.schema();
        OperationLimits.requireListSizes(schema);
        return GraphQL.newGraphQL(schema)
                .instrumentation(new ChainedInstrumentation(new OperationLimits(maxDepth, maxComplexity, maxCost),
                        new SqlSpans(openTelemetry.getTracer("dev.hiringkit.server"))))
                .defaultDataFetcherExceptionHandler(new ErrorMapping())
                .preparsedDocumentProvider(new DocumentCache(schema))
                .build();
    }

    private GraphQLSchema schema() {
        String sdl;
        try (InputStream in = HiringGraphQL.class.getResourceAsStream("schema.graphqls")) {
            sdl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .scalar(ExtendedScalars.DateTime)
                .scalar(ExtendedScalars.GraphQLLong)
                .scalar(UPLOAD)
                .type("Query", q -> q
                        .dataFetcher("departments", reader(env -> connection(env, kit.repository()::departments,
                                Department::id, HiringGraphQL::department)))
                        .dataFetcher("jobs", reader(env -> connection(env, kit.repository()::jobs, Job::id,
                                HiringGraphQL::job)))
                        .dataFetcher("hiredEmployees", reader(env -> connection(env, kit.repository()::hiredEmployees,
                                HiredEmployee::id, HiringGraphQL::hiredEmployee)))
                        .dataFetcher("rejections", reader(this::rejections))
                        .dataFetcher("loads", reader(env -> kit.repository().loads(limit(env, "limit"))
                                .stream().map(HiringGraphQL::load).toList()))
                        .dataFetcher("hiresByQuarter", reader(this::hiresByQuarter))
                        .dataFetcher("departmentsAboveMean", reader(env -> departmentsAboveMean(
                                kit.reports().departmentsAboveMean(env.<Integer>getArgument("year")))))
                        .dataFetcher("me", reader(env -> user(require(env, Role.READER))))
                        .dataFetcher("backups", reader(env -> kit.archiver().list().stream()
                                .limit(limit(env, "limit")).map(HiringGraphQL::backup).toList())))
                .type("Mutation", m -> m
                        .dataFetcher("login", this::login)
                        .dataFetcher("ingest", needs(Role.WRITER, this::ingest))
                        .dataFetcher("loadHistorical", needs(Role.WRITER, this::loadHistorical))
                        .dataFetcher("backup", needs(Role.ADMIN, this::backup))
                        .dataFetcher("restore", needs(Role.ADMIN, this::restore))
                        .dataFetcher("uploadCsv", needs(Role.WRITER, this::uploadCsv)))
                .type("Subscription", s -> s
                        .dataFetcher("loadProgress", reader(this::loadProgress))
                        .dataFetcher("loadStarted", needs(Role.WRITER, env -> mapped(feeds.started()))))
                .build();
        return new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
    }

    // ---- access --------------------------------------------------------------------------------

    private static User require(DataFetchingEnvironment env, Role role) {
        User user = env.getGraphQlContext().get(USER);
        if (user == null) {
            throw new ApiException("UNAUTHENTICATED", "Sign in first: send 'Authorization: Bearer <token>'.");
        }
        if (!user.role().allows(role)) {
            throw new ApiException("FORBIDDEN", "This needs the " + role.name().toLowerCase() + " role; "
                    + user.username() + " is a " + user.role().name().toLowerCase() + ".");
        }
        return user;
    }

    /** Who the request acts for, as loads and batches record it: user:alice, client:etl, oidc:jane. */
    private static String madeBy(DataFetchingEnvironment env) {
        User user = env.getGraphQlContext().get(USER);
        return user == null ? null : user.madeBy();
    }

    private static DataFetcher<Object> reader(Function<DataFetchingEnvironment, Object> fetch) {
        return needs(Role.READER, fetch);
    }

    private static DataFetcher<Object> needs(Role role, Function<DataFetchingEnvironment, Object> fetch) {
        return env -> {
            require(env, role);
            return fetch.apply(env);
        };
    }

    // ---- queries -------------------------------------------------------------------------------

    private static <T> Map<String, Object> connection(DataFetchingEnvironment env,
            BiFunction<Integer, Integer, Page<T>> fetch, Function<T, Integer> id, Function<T, Map<String, Object>> map) {
        int first = limit(env, "first");
        Integer after = decodeCursor(env.getArgument("after"));
        Page<T> page = fetch.apply(after, first);
        List<Map<String, Object>> edges = page.items().stream()
                .map(item -> Map.<String, Object>of("cursor", encodeCursor(id.apply(item)), "node", map.apply(item)))
                .toList();
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("hasNextPage", page.nextAfter().isPresent());
        pageInfo.put("endCursor", edges.isEmpty() ? null : edges.get(edges.size() - 1).get("cursor"));
        return Map.of("edges", edges, "pageInfo", pageInfo);
    }

    /** A list field's size argument, within the maximum its {@code @listSize} documents. */
    private static int limit(DataFetchingEnvironment env, String argument) {
        int max = OperationLimits.ListSize.of(env.getFieldDefinition()).max();
        Integer value = env.getArgument(argument);
        if (value == null || value < 1 || value > max) {
            throw new ApiException("BAD_REQUEST", argument + " must be between 1 and " + max + ", got " + value);
        }
        return value;
    }

    private static String encodeCursor(int id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("id:" + id).getBytes(StandardCharsets.UTF_8));
    }

    private static Integer decodeCursor(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("id:")) {
                return Integer.parseInt(text.substring(3));
            }
        } catch (IllegalArgumentException e) {
            // fall through to the error below
        }
        throw new ApiException("BAD_REQUEST", "'" + cursor + "' is not a cursor this server gave out");
    }

    /** A page of the rejections log; its cursors are log positions, as the other connections' are ids. */
    private Object rejections(DataFetchingEnvironment env) {
        String loadId = env.getArgument("loadId");
        int first = limit(env, "first");
        Long after = decodePosition(env.getArgument("after"));
        RejectionPage page = kit.repository().rejections(loadId == null ? null : uuid("loadId", loadId),
                env.getArgument("source"), after, first);
        List<Map<String, Object>> edges = page.entries().stream()
                .map(e -> Map.<String, Object>of("cursor", encodePosition(e.position()), "node", rejection(e.rejection())))
                .toList();
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("hasNextPage", page.hasNext());
        pageInfo.put("endCursor", edges.isEmpty() ? null : edges.get(edges.size() - 1).get("cursor"));
        return Map.of("edges", edges, "pageInfo", pageInfo);
    }

    private static UUID uuid(String argument, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new ApiException("BAD_REQUEST", argument + " must be a load or batch id (a UUID), got '" + value + "'");
        }
    }

    private static String encodePosition(long position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("log:" + position)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static Long decodePosition(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("log:")) {
                return Long.parseLong(text.substring(4));
            }
        } catch (IllegalArgumentException e) {
            // fall through to the error below
        }
        throw new ApiException("BAD_REQUEST", "'" + cursor + "' is not a cursor this server gave out");
    }

    private Object hiresByQuarter(DataFetchingEnvironment env) {
        HiresByQuarter report = kit.reports().hiresByQuarter(env.<Integer>getArgument("year"),
                env.<Integer>getArgument("offset"), limit(env, "limit"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("year", report.year());
        out.put("rows", report.rows().stream().map(r -> Map.of("departmentId", r.departmentId(), "department",
                r.department(), "jobId", r.jobId(), "job", r.job(), "hires", quarters(r.hires()))).toList());
        out.put("totalRows", report.totalRows());
        out.put("totals", quarters(report.totals()));
        return out;
    }

    private static Map<String, Object> quarters(HiresByQuarter.Quarters q) {
        return Map.of("q1", q.q1(), "q2", q.q2(), "q3", q.q3(), "q4", q.q4());
    }

    private static Map<String, Object> departmentsAboveMean(DepartmentsAboveMean report) {
        return Map.of("year", report.year(), "mean", report.mean(), "departmentCount", report.departmentCount(),
                "totalHired", report.totalHired(), "departments", report.departments().stream()
                        .map(d -> Map.of("id", d.id(), "department", d.department(), "hired", d.hired())).toList());
    }

    // ---- idempotency keys -------------------------------------------------------------------------

    /**
     * The key of a keyed mutation: its {@code idempotencyKey} argument, or the request's
     * {@code Idempotency-Key} header; both may be given only when they are the same key.
     */
    private static Optional<String> idempotencyKey(DataFetchingEnvironment env) {
        String argument = env.getArgument("idempotencyKey");
        String header = env.getGraphQlContext().get(IDEMPOTENCY_KEY);
        if (argument != null && !validKey(argument)) {
            throw new ApiException("INVALID_IDEMPOTENCY_KEY", KEY_RULE);
        }
        if (argument != null && header != null && !argument.equals(header)) {
            throw new ApiException("IDEMPOTENCY_KEY_MISMATCH", "The idempotencyKey argument and the Idempotency-Key"
                    + " header differ: send one of them, or the same key in both.");
        }
        return Optional.ofNullable(argument != null ? argument : header);
    }

    /** What an idempotency key must be, for people. */
    public static final String KEY_RULE = "An idempotency key is 1 to " + IdempotencyKey.MAX_LENGTH
            + " printable ASCII characters (a UUID is a good one).";

    /** Whether {@code key} is one the library takes: 1 to 255 printable ASCII characters. */
    public static boolean validKey(String key) {
        return IdempotencyKey.isValid(key);
    }

    /**
     * Tells the request that a keyed mutation was answered, run now or replayed from its key, and counts
     * the replays.
     */
    private void answered(DataFetchingEnvironment env, Optional<String> key, boolean replayed) {
        if (key.isPresent() && replayed) {
            metrics.replayed(env.getField().getName());
        }
        IdempotentReplays replays = env.getGraphQlContext().get(REPLAYS);
        if (key.isPresent() && replays != null) {
            replays.record(env.getField().getName(), replayed);
        }
    }

    // ---- mutations -----------------------------------------------------------------------------

    private Object login(DataFetchingEnvironment env) {
        String address = env.getGraphQlContext().getOrDefault(ADDRESS, "unknown");
        Auth.Login login = auth.login(env.getArgument("username"), env.getArgument("password"), address);
        if (login instanceof Auth.Granted granted) {
            return Map.of("accessToken", granted.token(), "tokenType", "Bearer",
                    "expiresIn", granted.lifetime().toSeconds(), "user", user(granted.user()));
        }
        if (login instanceof Auth.Throttled throttled) {
            throw new ApiException("TOO_MANY_ATTEMPTS", "Too many failed sign-ins; try again in "
                    + Math.max(1, throttled.retryAfter().toSeconds()) + " seconds.");
        }
        throw new ApiException("INVALID_CREDENTIALS", "Wrong user name or password.");
    }

    private Object ingest(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        Batch.Builder batch = Batch.builder().allOrNothing(Boolean.TRUE.equals(input.get("allOrNothing")))
                .madeBy(madeBy(env));
        rows(input, "departments").forEach(m -> batch.add(new Department(integer(m, "id"), (String) m.get("department"))));
        rows(input, "jobs").forEach(m -> batch.add(new Job(integer(m, "id"), (String) m.get("job"))));
        IngestRows.addHiredEmployees(batch, input);
        Optional<String> key = idempotencyKey(env);
        Batch built = batch.build();
        BatchResult result = kit.repository().insert(key.map(built::withIdempotencyKey).orElse(built));
        answered(env, key, result.replayed());
        if (!result.replayed()) {
            metrics.batch(result);
        }
        List<Map<String, Object>> tables = new ArrayList<>();
        for (Table table : Table.values()) {
            BatchResult.TableOutcome outcome = result.tables().get(table);
            if (outcome != null) {
                tables.add(Map.of("table", table, "inserted", outcome.inserted(), "rejected", outcome.rejected().stream()
                        .map(r -> Map.of("index", r.index(), "record", r.record(), "reasons", reasons(r.reasons())))
                        .toList()));
            }
        }
        return Map.of("batchId", result.batchId().toString(), "inserted", result.inserted(),
                "rejected", result.rejected(), "tables", tables);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> input, String key) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) input.get(key);
        return rows == null ? List.of() : rows;
    }

    private static Integer integer(Map<String, Object> row, String key) {
        return (Integer) row.get(key);
    }

    private Object loadHistorical(DataFetchingEnvironment env) {
        String source = env.getArgument("source");
        Optional<String> key = idempotencyKey(env);
        LoadOptions.Builder options = LoadOptions.builder().madeBy(madeBy(env)).idempotencyKey(key.orElse(null));
        if (Boolean.TRUE.equals(env.getArgument("async"))) {
            // Checked here, so that a bad source is this request's error, not a failed background load.
            Function<LoadOptions, List<LoadResult>> run = metrics.observed(directoryLoad(source));
            LoadResult started = async.start(source, run, options, kit.repository());
            answered(env, key, started.replayed());
            return List.of(load(started));
        }
        List<LoadResult> loads = metrics.observed(directoryLoad(source)).apply(options.build());
        answered(env, key, loads.stream().allMatch(LoadResult::replayed));
        return loads.stream().map(HiringGraphQL::load).toList();
    }

    /** The load of a directory (under the load root) or S3 prefix (under the S3 load root), once checked. */
    private Function<LoadOptions, List<LoadResult>> directoryLoad(String source) {
        if (S3Location.isS3(source)) {
            URI uri = s3Source(source);
            return options -> kit.repository().loadDirectory(uri, options);
        }
        Path dir = loadRoot.resolve(source).normalize();
        if (!dir.startsWith(loadRoot)) {
            throw new ApiException("BAD_REQUEST", "source must be a directory under the server's load root");
        }
        if (!Files.isDirectory(dir)) {
            throw new ApiException("SOURCE_NOT_FOUND", "No directory '" + source + "' under the server's load root");
        }
        return options -> kit.repository().loadDirectory(dir, options);
    }

    /** An S3 prefix under the server's S3 load root: a writer reads no other bucket the server can reach. */
    private URI s3Source(String source) {
        if (s3LoadRoot == null) {
            throw new ApiException("BAD_REQUEST", "This server loads no S3 sources: start it with --s3-load-root"
                    + " s3://bucket/prefix/ to allow those under that prefix");
        }
        URI uri;
        try {
            uri = new URI(source.endsWith("/") ? source : source + "/");
        } catch (URISyntaxException e) {
            throw new ApiException("BAD_REQUEST", "'" + source + "' is not an S3 location: " + e.getReason());
        }
        if (!uri.toString().startsWith(s3LoadRoot.toString()) || uri.getPath().contains("/../")
                || uri.getPath().contains("/./")) {
            throw new ApiException("BAD_REQUEST", "source must be under the server's S3 load root " + s3LoadRoot);
        }
        return uri;
    }

    private Object backup(DataFetchingEnvironment env) {
        Optional<String> key = idempotencyKey(env);
        Backup backup = key.isPresent() ? kit.archiver().backup(IdempotencyKey.of(key.get(), madeBy(env)), tables(env))
                : kit.archiver().backup(tables(env));
        answered(env, key, backup.replayed());
        if (!backup.replayed()) {
            metrics.backedUp(backup);
        }
        return backup(backup);
    }

    private Object restore(DataFetchingEnvironment env) {
        String mode = env.getArgument("mode");
        RestoreMode restoreMode = mode == null ? RestoreMode.REPLACE : RestoreMode.valueOf(mode);
        Optional<String> key = idempotencyKey(env);
        RestoreResult result = key.isPresent()
                ? kit.archiver().restore(IdempotencyKey.of(key.get(), madeBy(env)), env.getArgument("backupId"),
                        restoreMode, tables(env))
                : kit.archiver().restore(env.getArgument("backupId"), restoreMode, tables(env));
        answered(env, key, result.replayed());
        return Map.of("backupId", result.backupId(), "mode", result.mode().name(), "tables", result.tables().stream()
                .map(t -> Map.of("table", t.table(), "backupRows", t.backupRows(), "rowsBefore", t.rowsBefore(),
                        "removed", t.removed(), "inserted", t.inserted(), "skipped", t.skipped(),
                        "skippedIds", t.skippedIds()))
                .toList());
    }

    private static Table[] tables(DataFetchingEnvironment env) {
        List<String> tables = env.getArgument("tables");
        return tables == null ? new Table[0] : tables.stream().map(Table::valueOf).toArray(Table[]::new);
    }

    private Object uploadCsv(DataFetchingEnvironment env) {
        Table table = Table.valueOf(env.getArgument("table"));
        FileUpload file = env.getArgument("file");
        boolean restart = Boolean.TRUE.equals(env.getArgument("restart"));
        Optional<String> key = idempotencyKey(env);
        if (key.isPresent()) {
            return keyedUpload(env, table, file, restart, key.get());
        }
        if (Boolean.TRUE.equals(env.getArgument("async"))) {
            // The file is received whole first (into a temporary file): the request's body cannot outlive it.
            Path spooled = async.spool(file);
            // Named after the client's file (known once its part is open): sending it again finds the same
            // load, to skip or resume it.
            String source = "upload/" + fileName(file.fileName(), table);
            return load(async.start(source, metrics.observed(spooledLoad(table, source, spooled)),
                    LoadOptions.builder().restart(restart).madeBy(madeBy(env)), kit.repository()));
        }
        LoadOptions options = LoadOptions.builder().restart(restart).madeBy(madeBy(env)).build();
        try (InputStream in = file.open()) {
            String source = "upload/" + fileName(file.fileName(), table);
            return load(metrics.observed(o -> List.of(kit.repository().load(table, source, in, o))).apply(options).get(0));
        } catch (IOException e) {
            throw new ApiException("UPLOAD_FAILED", e.getMessage());
        }
    }

    /**
     * An upload sent with an idempotency key: received whole first, to hash its bytes (a retry must send the
     * same bytes), then loaded from the temporary file, in the background when asked.
     */
    private Object keyedUpload(DataFetchingEnvironment env, Table table, FileUpload file, boolean restart, String key) {
        Path spooled = async.spool(file);
        String source = "upload/" + fileName(file.fileName(), table);
        String sha256;
        try (InputStream in = Files.newInputStream(spooled)) {
            sha256 = DigestUtils.sha256Hex(in);
        } catch (IOException e) {
            AsyncLoads.delete(spooled);
            throw new ApiException("UPLOAD_FAILED", e.getMessage());
        }
        Function<LoadOptions, List<LoadResult>> run = metrics.observed(spooledLoad(table, source, spooled));
        LoadOptions.Builder options = LoadOptions.builder().restart(restart).madeBy(madeBy(env)).idempotencyKey(key)
                .contentSha256(sha256);
        LoadResult loaded = Boolean.TRUE.equals(env.getArgument("async"))
                ? async.start(source, run, options, kit.repository())
                : run.apply(options.build()).get(0);
        answered(env, Optional.of(key), loaded.replayed());
        return load(loaded);
    }

    /** The load of an upload received whole into {@code spooled}, which it deletes when it ends. */
    private Function<LoadOptions, List<LoadResult>> spooledLoad(Table table, String source, Path spooled) {
        return options -> {
            try (InputStream in = Files.newInputStream(spooled)) {
                return List.of(kit.repository().load(table, source, in, options));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                AsyncLoads.delete(spooled);
            }
        };
    }

    // ---- subscriptions ---------------------------------------------------------------------------

    private Object loadProgress(DataFetchingEnvironment env) {
        UUID id = uuid("loadId", env.getArgument("loadId"));
        if (kit.repository().findLoad(id).isEmpty()) {
            throw new ApiException("LOAD_NOT_FOUND", "No load has the id " + id + ".");
        }
        return mapped(feeds.progress(id));
    }

    /** A feed of loads as the Load type's maps, for graphql-java to run each event's selection on. */
    private static Flow.Publisher<Object> mapped(Flow.Publisher<LoadResult> loads) {
        return subscriber -> loads.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(subscription);
            }

            @Override
            public void onNext(LoadResult item) {
                subscriber.onNext(load(item));
            }

            @Override
            public void onError(Throwable throwable) {
                subscriber.onError(throwable);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
    }

    /** The last segment of a client's file name, without control characters; the table's file name if none. */
    private static String fileName(String given, Table table) {
        String name = given == null ? "" : given.substring(Math.max(given.lastIndexOf('/'), given.lastIndexOf('\\')) + 1)
                .replaceAll("\\p{Cntrl}", "").strip();
        return name.isEmpty() || name.equals(".") || name.equals("..") ? table.fileName()
                : name.substring(0, Math.min(name.length(), 200));
    }

    // ---- shapes --------------------------------------------------------------------------------

    private static Map<String, Object> backup(Backup b) {
        return Map.of("id", b.id(), "createdAt", utc(b.createdAt()), "codec", b.codec(), "tables", b.tables().stream()
                .map(f -> Map.of("table", f.table(), "key", f.key(), "rows", f.rows(), "bytes", f.bytes(),
                        "sha256", f.sha256(), "schemaFingerprint", f.schemaFingerprint()))
                .toList());
    }

    private static Map<String, Object> user(User user) {
        return Map.of("username", user.username(), "role", user.role().name());
    }

    private static Map<String, Object> department(Department d) {
        return Map.of("id", d.id(), "department", d.department());
    }

    private static Map<String, Object> job(Job j) {
        return Map.of("id", j.id(), "job", j.job());
    }

    private static Map<String, Object> hiredEmployee(HiredEmployee e) {
        return Map.of("id", e.id(), "name", e.name(), "datetime", utc(e.datetime()), "departmentId", e.departmentId(),
                "jobId", e.jobId());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static List<Map<String, Object>> reasons(List<Violation> reasons) {
        return reasons.stream().map(v -> Map.<String, Object>of("field", v.field(), "code", v.code().name(),
                "message", v.message())).toList();
    }

    private static Map<String, Object> rejection(Rejection r) {
        Map<String, Object> out = new HashMap<>(Map.of("loadId", r.loadId().toString(), "source", r.source(),
                "table", r.table(), "recordNumber", r.recordNumber(), "rawRecord", r.rawRecord(),
                "reasons", reasons(r.reasons()), "rejectedAt", utc(r.rejectedAt())));
        out.put("madeBy", r.madeBy().orElse(null));
        return out;
    }

    private static Map<String, Object> load(LoadResult l) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", l.loadId().toString());
        out.put("table", l.table());
        out.put("source", l.source());
        out.put("status", l.status().name());
        out.put("rowsRead", l.rowsRead());
        out.put("inserted", l.inserted());
        out.put("rejected", l.rejected());
        out.put("rejectedByCode", l.rejectedByCode().entrySet().stream()
                .map(e -> Map.of("code", e.getKey().name(), "count", e.getValue())).toList());
        out.put("rejectsFile", l.rejectsFile().orElse(null));
        out.put("madeBy", l.madeBy().orElse(null));
        return out;
    }
}
