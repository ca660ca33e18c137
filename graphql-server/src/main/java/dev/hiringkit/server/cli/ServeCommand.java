package dev.hiringkit.server.cli;

import dev.hiringkit.Table;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.server.HiringServer;
import dev.hiringkit.server.ServerConfig;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.IdentityProvider;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.server.graphql.HiringGraphQL;
import dev.hiringkit.server.observability.HiringMetrics;
import dev.hiringkit.server.observability.Tracing;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hiring serve}: the GraphQL server, GraphiQL and the token endpoint. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the server: GraphQL at /graphql, GraphiQL at /graphiql, the dashboard at /dashboard, tokens at /token.", "",
                "On the first start it creates the user 'admin' with the password in HIRING_ADMIN_PASSWORD, or",
                "with a generated one that it prints once."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--port", defaultValue = "${env:HIRING_PORT:-8080}", description = "Port (default: ${DEFAULT-VALUE}; 0 for any free one).")
    int port;

    @Option(names = "--host", defaultValue = "${env:HIRING_HOST:-localhost}", description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--token-minutes", defaultValue = "${env:HIRING_TOKEN_MINUTES:-30}", description = "How long a token is valid (default: ${DEFAULT-VALUE}).")
    long tokenMinutes;

    @Option(names = "--load-root", defaultValue = ".", description = "The directory loadHistorical may read from (default: the current directory).")
    Path loadRoot;

    @Option(names = "--s3-load-root", defaultValue = "${env:HIRING_S3_LOAD_ROOT}", paramLabel = "s3://BUCKET/PREFIX/",
            description = "The S3 prefix loadHistorical may read from (env HIRING_S3_LOAD_ROOT; default: none).")
    java.net.URI s3LoadRoot;

    @Option(names = "--max-upload-mib", defaultValue = "1024", description = "The largest upload (uploadCsv), in MiB (default: ${DEFAULT-VALUE}).")
    long maxUploadMib;

    @Option(names = "--no-introspection", description = "Refuse schema introspection.")
    boolean noIntrospection;

    @Option(names = "--db-connect-timeout", defaultValue = "3", paramLabel = "SECONDS",
            description = "How long a request waits for a database connection before it is answered 503 DATABASE_UNAVAILABLE (default: ${DEFAULT-VALUE}).")
    int dbConnectTimeout;

    @Option(names = "--max-cost", defaultValue = "100000", paramLabel = "ROWS",
            description = "The largest cost of one GraphQL operation: the values its answer may hold, each field counted once per row it can appear in (default: ${DEFAULT-VALUE}).")
    long maxCost;

    @Option(names = "--documents", paramLabel = "DIR",
            description = "A directory of .graphql files, each a document clients may send by its SHA-256 alone (persisted queries).")
    Path documents;

    @Option(names = "--only-registered-documents",
            description = "Allow-list mode: run only the documents of --documents, by hash or in full.")
    boolean onlyRegisteredDocuments;

    @Option(names = "--demo", description = "When the database holds no hired employees, generate and load a data set first.")
    boolean demo;

    @Option(names = "--oidc-issuer", defaultValue = "${env:HIRING_OIDC_ISSUER}", paramLabel = "URL",
            description = {"Also accept access tokens of this identity provider (its 'iss', exactly; env HIRING_OIDC_ISSUER):",
                    "RS256/ES256 and the like, with the keys of its JWKS, found through discovery unless --jwks-url."})
    String oidcIssuer;

    @Option(names = "--jwks-url", defaultValue = "${env:HIRING_JWKS_URL}", paramLabel = "URL",
            description = "The provider's JWKS, for one without OpenID discovery (env HIRING_JWKS_URL).")
    java.net.URI jwksUrl;

    @Option(names = "--audience", defaultValue = "${env:HIRING_OIDC_AUDIENCE}",
            description = "The 'aud' the provider's tokens must carry: this API's identifier there (env HIRING_OIDC_AUDIENCE). Required with --oidc-issuer.")
    String audience;

    @Option(names = "--roles-claim", defaultValue = "${env:HIRING_ROLES_CLAIM:-roles}", paramLabel = "CLAIM",
            description = {"The claim holding the provider's group or role names (default: ${DEFAULT-VALUE}); a dotted path",
                    "reaches into objects, as Keycloak's realm_access.roles; a string is split at spaces, as scope."})
    String rolesClaim;

    @Option(names = "--role-map", paramLabel = "NAME=ROLE",
            description = {"Gives ROLE (reader, writer, admin) to tokens whose roles claim holds NAME; repeatable.",
                    "Without it the names reader, writer and admin give those roles."})
    java.util.Map<String, String> roleMap;

    @Option(names = "--idempotency-retention", defaultValue = "${env:HIRING_IDEMPOTENCY_RETENTION:-24h}",
            paramLabel = "DURATION", converter = DurationConverter.class,
            description = {"How long an idempotency key (Idempotency-Key header or idempotencyKey argument) is kept: a",
                    "request sent again with its key within it gets its first answer back (default: ${DEFAULT-VALUE};",
                    "env HIRING_IDEMPOTENCY_RETENTION). Like 90s, 30m, 24h, 7d, or ISO 8601 as PT36H."})
    Duration idempotencyRetention;

    // ---- metrics, traces and logs ----
    @Option(names = "--metrics-port", defaultValue = "${env:HIRING_METRICS_PORT:--1}", paramLabel = "PORT",
            description = {"Serve Prometheus metrics at /metrics on this port, on the --host interface, without a token",
                    "(env HIRING_METRICS_PORT; default: none). Keep the port to Prometheus's network."})
    int metricsPort;

    @Option(names = "--log-format", defaultValue = "${env:HIRING_LOG_FORMAT:-text}", paramLabel = "text|json",
            description = {"The log file's format: text, or json, one JSON object per line with the request's trace_id and",
                    "span_id (env HIRING_LOG_FORMAT; default: ${DEFAULT-VALUE}). Traces: see the OTEL_* variables in the README."})
    String logFormat;

    @Option(names = "--shutdown-grace", defaultValue = "${env:HIRING_SHUTDOWN_GRACE:-30}", paramLabel = "SECONDS",
            description = {"On SIGTERM or Ctrl+C: how long the requests in flight and background loads have to end",
                    "before the server stops anyway (env HIRING_SHUTDOWN_GRACE; default: ${DEFAULT-VALUE})."})
    int shutdownGrace;

    @Option(names = "--shutdown-drain", defaultValue = "${env:HIRING_SHUTDOWN_DRAIN:-5}", paramLabel = "SECONDS",
            description = {"On SIGTERM: how long the server keeps serving while /health/ready says 503, for load",
                    "balancers to take it out first (env HIRING_SHUTDOWN_DRAIN; default: ${DEFAULT-VALUE})."})
    int shutdownDrain;

    @Option(names = "--db-listen-url", defaultValue = "${env:HIRING_DB_LISTEN_URL}", paramLabel = "JDBC-URL",
            description = {"A direct connection to the database of --db-url, not through a transaction pooler (env"
                    + " HIRING_DB_LISTEN_URL; user and password as for --db-url): one session LISTENs there for changed",
                    "users and clients, which end their tokens at once. Without it, behind --db-pooler transaction,"
                    + " the server reads their versions every second instead."})
    String dbListenUrl;

    /** The text of each .graphql file of the directory, none when it is null. */
    private static List<String> documents(Path dir) throws java.io.IOException {
        if (dir == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> documents = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".graphql")).sorted().toList()) {
                documents.add(Files.readString(file));
            }
            return documents;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try {
            CliLogging.Format.parse(logFormat);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        IdentityProvider provider = identityProvider();
        CompletableFuture<HiringMetrics> metrics = meters();
        // The database opens on a thread of its own while this one builds the server (see HiringRuntime.opening);
        // the server starts, and so says it is ready, only once both are done.
        try (HiringRuntime runtime = HiringRuntime.opening(database, Duration.ofSeconds(dbConnectTimeout),
                idempotencyRetention, dataSource -> createAdmin(new Users(dataSource), out))) {
            byte[] secret = Tokens.secret(System.getenv("HIRING_JWT_SECRET"), database.dataDir.resolve("jwt.key"));
            Auth auth = new Auth(new Users(runtime.dataSource()), new Clients(runtime.dataSource()),
                    new Tokens(secret, Duration.ofMinutes(tokenMinutes), Clock.systemUTC(), provider),
                    new LoginThrottle(runtime.dataSource(), Clock.systemUTC()))
                    .withAccountChanges(runtime.accountChanges(dbListenUrl));
            ServerConfig.Builder config = ServerConfig.builder()
                    .kit(runtime.kit())
                    .dataSource(runtime.dataSource())
                    .auth(auth)
                    .host(host)
                    .port(port)
                    .loadRoot(loadRoot)
                    .maxUploadBytes(maxUploadMib << 20)
                    .maxCost(maxCost)
                    .introspection(!noIntrospection)
                    .registeredDocuments(documents(documents))
                    .onlyRegisteredDocuments(onlyRegisteredDocuments)
                    .shutdownGrace(Duration.ofSeconds(shutdownGrace))
                    .drainDelay(Duration.ofSeconds(shutdownDrain));
            if (s3LoadRoot != null) {
                config.s3LoadRoot(s3LoadRoot);
            }
            config.metricsPort(metricsPort).openTelemetry(Tracing.fromEnvironment()).metrics(made(metrics));
            Server server = HiringServer.newServer(config.build());
            runtime.awaitOpen();
            if (demo && runtime.kit().repository().count(Table.HIRED_EMPLOYEES) == 0) {
                Path dir = database.dataDir.resolve("demo");
                GenerateCommand.generate(dir, 100_000, 42, 0.02);
                LoadCommand.printSummary(out, runtime.kit().repository().loadDirectory(dir, LoadOptions.defaults()));
            }
            server.start();
            StopSignals.install(server, Duration.ofSeconds(shutdownGrace), out, runtime::stopSharingDatabase);
            String base = "http://" + host + ":" + HiringServer.port(server);
            out.println("Database:  " + runtime.describeDatabase());
            out.println("GraphQL:   " + base + "/graphql");
            out.println("GraphiQL:  " + base + "/graphiql");
            out.println("Dashboard: " + base + "/dashboard");
            out.println("Tokens:    " + base + "/token (POST grant_type=password&username=...&password=...,"
                    + " or grant_type=client_credentials with a client's id and secret)");
            out.println("Health:    " + base + "/health/live (alive), " + base + "/health/ready (ready for"
                    + " requests; 503 while stopping)");
            if (metricsPort >= 0) {
                out.println("Metrics:   http://" + host + ":" + HiringServer.metricsPort(server) + "/metrics");
            }
            if (provider != null) {
                describe(provider, out);
            }
            if (Files.isRegularFile(database.logFile())) {
                out.println("Log:       " + database.logFile().toAbsolutePath().normalize());
            }
            out.println("Stop with Ctrl+C or SIGTERM (graceful, up to " + shutdownGrace + " s).");
            out.flush();
            server.join();
        }
        return 0;
    }

    /**
     * On the database's opening thread, once it is open: the users' table, and the user admin when there is
     * no user yet, with the password of HIRING_ADMIN_PASSWORD or a generated one, printed once.
     */
    private static void createAdmin(Users users, PrintWriter out) {
        users.migrate();
        if (users.isEmpty()) {
            String given = System.getenv("HIRING_ADMIN_PASSWORD");
            String password = given != null && !given.isEmpty() ? given : generatedPassword();
            users.add("admin", password.toCharArray(), Role.ADMIN);
            out.println(given != null && !given.isEmpty() ? "Created the user admin with HIRING_ADMIN_PASSWORD."
                    : "Created the user admin with the password " + password + " (shown once; change it with"
                            + " 'hiring user passwd admin').");
        }
    }

    /**
     * Makes the server's meters on a thread of its own (the second core), while this one builds the rest of
     * the server and a third opens the database.
     */
    private static CompletableFuture<HiringMetrics> meters() {
        CompletableFuture<HiringMetrics> metrics = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                metrics.complete(HiringMetrics.create());
            } catch (RuntimeException | Error e) {
                metrics.completeExceptionally(e);
            }
        }, "hiring-meters");
        thread.setDaemon(true);
        thread.start();
        return metrics;
    }

    /**
     * Called by {@code main} before it parses the command line (0.3 s of picocli and logging on one core):
     * parses the GraphQL schema file on the other core, for {@link HiringGraphQL#build} to find parsed, then
     * makes a Jetty server and connector once and drops them, so that their classes (MIME types, buffer
     * pools, selectors: some 600) are loaded and initialised when the real ones are made.
     */
    static void startEarly() {
        Thread thread = new Thread(() -> {
            try {
                HiringGraphQL.parseSchemaFile();
                new ServerConnector(new Server(), new HttpConnectionFactory(new HttpConfiguration()));
            } catch (RuntimeException | Error e) {
                // Only a head start: the real build reports what is wrong.
            }
        }, "hiring-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static HiringMetrics made(CompletableFuture<HiringMetrics> metrics) {
        try {
            return metrics.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    /** The identity provider the options name; null: none. */
    private IdentityProvider identityProvider() {
        if (oidcIssuer == null || oidcIssuer.isBlank()) {
            if (jwksUrl != null || audience != null || (roleMap != null && !roleMap.isEmpty())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--jwks-url, --audience and --role-map"
                        + " need --oidc-issuer: the issuer of every provider token is checked");
            }
            return null;
        }
        IdentityProvider.Builder builder = IdentityProvider.builder().issuer(oidcIssuer).audience(audience)
                .rolesClaim(rolesClaim).jwksUri(jwksUrl);
        try {
            if (roleMap != null) {
                roleMap.forEach((name, role) -> builder.mapRole(name, Role.parse(role)));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Reads the provider's keys once, so that a wrong address shows at start, and says what is trusted. */
    private static void describe(IdentityProvider provider, PrintWriter out) {
        String what = provider.issuer() + " (audience " + provider.audience() + ", roles from '" + provider.rolesClaim()
                + "'" + (provider.roleMapping().isEmpty() ? "" : " " + provider.roleMapping()) + ")";
        try {
            out.println("Provider:  " + what + ", " + provider.refreshKeys().size() + " signing keys");
        } catch (IOException e) {
            // Not fatal: the server's own tokens work, and the provider's do once its keys can be read.
            out.println("Provider:  " + what + ": its keys could not be read (" + e.getMessage() + "); its tokens are"
                    + " refused until they can be.");
        }
    }

    private static String generatedPassword() {
        byte[] bytes = new byte[15];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
