package dev.hiringkit.server.http;

import dev.hiringkit.server.GracefulStop;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.User;
import dev.hiringkit.server.db.DatabaseFailures;
import dev.hiringkit.server.graphql.AccessPolicy;
import dev.hiringkit.server.graphql.DocumentCache;
import dev.hiringkit.server.graphql.HiringGraphQL;
import dev.hiringkit.server.graphql.IdempotencyKeys;
import dev.hiringkit.server.graphql.IdempotentReplays;
import dev.hiringkit.server.graphql.RootFields;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.introspection.Introspection;
import graphql.language.Document;
import graphql.language.OperationDefinition;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GraphQL over HTTP: POST with a JSON body, or a GraphQL multipart request to upload files (see
 * {@link MultipartRequest}); GET for queries only. Answers {@code application/graphql-response+json} when
 * the client accepts it, else {@code application/json}; Server-Sent Events (graphql-sse, distinct
 * connections mode) when it accepts {@code text/event-stream}, which subscriptions need.
 *
 * <p>Status codes follow the GraphQL-over-HTTP spec. A request that is not one (a body that is not JSON, no
 * query, a parameter of the wrong type) is a 400, a wrong content type a 415, a body over its limit a 413, a
 * missing or bad token a 401 with {@code WWW-Authenticate: Bearer}. A document that does not parse or
 * validate, an unknown operation, variables that do not coerce: a GraphQL request error, answered with no
 * data, as a 200 in {@code application/json} and a 400 in {@code application/graphql-response+json}. An
 * operation over the server's limits (depth, fields, cost) is a 400 in both: it is refused for its size, as
 * a body is with a 413. A database that cannot be reached, or a table a historical load keeps writers out
 * of ({@code TABLE_BUSY}), when that is the only error, is a 503 with {@code Retry-After}.
 */
final class GraphQLHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(GraphQLHandler.class);

    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    private static final String JSON = "application/json";
    private static final String MULTIPART = "multipart/form-data";
    /** The request header that makes a keyed mutation safe to send again (see the README). */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The response header of an answer replayed from its idempotency key. */
    static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    private final GraphQL graphQL;
    private final DocumentCache documents;
    private final PersistedQueries persisted;
    private final Auth auth;
    private final int maxBodyBytes;
    private final long maxUploadBytes;
    private final boolean introspection;
    private final ScheduledExecutorService heartbeats;
    private final GracefulStop stop;
    /** The subscriptions answering now, which a stop ends. */
    private final Set<EventStream> subscriptions = ConcurrentHashMap.newKeySet();

    GraphQLHandler(GraphQL graphQL, Auth auth, int maxBodyBytes, long maxUploadBytes, boolean introspection,
            PersistedQueries persisted, ScheduledExecutorService heartbeats, GracefulStop stop) {
        this.graphQL = graphQL;
        this.documents = DocumentCache.of(graphQL);
        this.persisted = persisted;
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
        this.maxUploadBytes = maxUploadBytes;
        this.introspection = introspection;
        this.heartbeats = heartbeats;
        this.stop = stop;
        stop.register(deadline -> {
            subscriptions.forEach(GraphQLHandler::endForStop);
            return CompletableFuture.completedFuture(null);
        });
    }

    private static void endForStop(EventStream events) {
        events.end(JsonAnswers.error(HealthHandler.SHUTTING_DOWN, HealthHandler.SHUTTING_DOWN_MESSAGE));
    }

    /**
     * A GraphQL request error found before execution (parse, validation, operation, persisted query):
     * answered with no data, as the media type's status says.
     */
    private static final class RequestError extends Exception {
        private static final long serialVersionUID = 1L;

        final transient List<Map<String, Object>> errors;

        RequestError(List<Map<String, Object>> errors) {
            super(null, null, false, false);
            this.errors = errors;
        }

        RequestError(String code, String message) {
            this(List.of(JsonAnswers.errorEntry(code, message)));
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        boolean graphQLResponse = RequestReader.accepts(request, GRAPHQL_RESPONSE);
        boolean eventStream = !graphQLResponse && !RequestReader.accepts(request, JSON)
                && RequestReader.accepts(request, EventStream.MEDIA_TYPE);
        // The spec's newer media type when the client names it; application/json otherwise.
        String contentType = (graphQLResponse ? GRAPHQL_RESPONSE : JSON) + "; charset=utf-8";
        MultipartRequest multipart = null;
        try {
            String method = request.getMethod();
            boolean get = HttpMethod.GET.is(method);
            if (!get && !HttpMethod.POST.is(method)) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
                throw new Refusal(405, "METHOD_NOT_ALLOWED", "Use POST, or GET for queries.");
            }
            String bodyType = RequestReader.mediaType(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
            GraphQLRequest graphQLRequest;
            if (get) {
                graphQLRequest = GraphQLRequest.fromQueryString(request);
            } else if (bodyType.equals(MULTIPART)) {
                multipart = MultipartRequest.start(request, maxUploadBytes);
                graphQLRequest = GraphQLRequest.fromObject(multipart.operations(maxBodyBytes));
            } else if (bodyType.equals(JSON)) {
                graphQLRequest = GraphQLRequest.fromBody(request, maxBodyBytes);
            } else {
                throw new Refusal(415, "UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json, or as"
                        + " multipart/form-data to upload files.");
            }
            try {
                String query = persisted(graphQLRequest);
                DocumentCache.Prepared prepared = prepare(query);
                Document document = prepared.entry().getDocument();
                OperationDefinition operation = operation(document, graphQLRequest.operationName());
                ObservedGraphQL.operation(request, document, operation);
                if (get && operation.getOperation() != OperationDefinition.Operation.QUERY) {
                    response.getHeaders().put(HttpHeader.ALLOW, "POST");
                    throw new Refusal(405, "METHOD_NOT_ALLOWED", "A " + operation.getOperation().name()
                            .toLowerCase(Locale.ROOT) + " must be sent with POST.");
                }
                if (operation.getOperation() == OperationDefinition.Operation.SUBSCRIPTION && !eventStream) {
                    throw new Refusal(400, "EVENT_STREAM_REQUIRED", "A subscription is answered as Server-Sent"
                            + " Events: send it with 'Accept: text/event-stream' (the graphql-sse protocol).");
                }
                Optional<User> user = authenticate(request, document, operation);
                String idempotencyKey = idempotencyKey(request, document, operation);
                IdempotentReplays replays = new IdempotentReplays();
                ExecutionInput input = ExecutionInput.newExecutionInput()
                        .query(query)
                        .operationName(graphQLRequest.operationName())
                        .variables(graphQLRequest.variables())
                        .graphQLContext(context -> {
                            context.put(HiringGraphQL.ADDRESS, RequestReader.address(request));
                            user.ifPresent(u -> context.put(HiringGraphQL.USER, u));
                            context.put(HiringGraphQL.REPLAYS, replays);
                            context.put(DocumentCache.PREPARED, prepared);
                            // graphql-java's own switch: __schema and __type answer IntrospectionDisabled.
                            context.put(Introspection.INTROSPECTION_DISABLED, !introspection);
                            if (idempotencyKey != null) {
                                context.put(HiringGraphQL.IDEMPOTENCY_KEY, idempotencyKey);
                            }
                        })
                        .build();
                ExecutionResult result = graphQL.execute(input);
                if (!result.getErrors().isEmpty()) {
                    ObservedGraphQL.errors(request, true);
                }
                if (multipart != null && multipart.problem() != null) {
                    // The request itself was broken (malformed, too large, a file missing): that is the answer.
                    throw multipart.problem();
                }
                if (eventStream) {
                    stream(response, callback, result);
                    return true;
                }
                Map<String, Object> answer = GraphQLAnswers.withCodes(result.toSpecification());
                int status = GraphQLAnswers.status(result, answer, graphQLResponse);
                if (status == 503) {
                    // Nothing failed but the database's absence or a busy table: a client (or a load balancer) should retry.
                    JsonAnswers.retryLater(response);
                    ObservedGraphQL.unavailable(request, GraphQLAnswers.firstCode(answer));
                }
                if (replays.allReplayed()) {
                    response.getHeaders().put(IDEMPOTENT_REPLAYED, "true");
                }
                JsonAnswers.json(response, callback, status, contentType, answer);
            } catch (RequestError error) {
                ObservedGraphQL.errors(request, false);
                Map<String, Object> answer = Map.of("errors", error.errors);
                if (eventStream) {
                    new EventStream(response, callback, heartbeats, GraphQLHandler::shape).single(answer);
                } else {
                    JsonAnswers.json(response, callback, graphQLResponse ? 400 : 200, contentType, answer);
                }
            }
        } catch (Refusal refusal) {
            refuse(request, response, callback, contentType, refusal);
        } catch (RequestReader.TooLarge e) {
            JsonAnswers.json(response, callback, 413, contentType, JsonAnswers.error("BODY_TOO_LARGE",
                    "The request body is over " + maxBodyBytes + " bytes."));
        } catch (IOException e) {
            Refusal problem = multipart == null ? null : multipart.problem();
            refuse(request, response, callback, contentType,
                    problem != null ? problem : new Refusal(400, "BAD_REQUEST", "The body could not be read."));
        } catch (RuntimeException e) {
            // Outside execution, where ErrorMapping does not reach: looking up the token's user.
            if (DatabaseFailures.unavailable(e)) {
                LOG.warn("database unavailable before execution: {}", DatabaseFailures.rootMessage(e));
                refuse(request, response, callback, contentType, new Refusal(503, DatabaseFailures.UNAVAILABLE,
                        DatabaseFailures.UNAVAILABLE_MESSAGE));
            } else {
                LOG.error("unexpected error answering a GraphQL request", e);
                refuse(request, response, callback, contentType, new Refusal(500, "INTERNAL_ERROR",
                        "The server could not complete the request; it has been logged."));
            }
        } finally {
            if (multipart != null) {
                multipart.close();
            }
        }
        return true;
    }

    private static void refuse(Request request, Response response, Callback callback, String contentType, Refusal refusal) {
        // A refusal may come before the body was read (405, 415, 413, a broken multipart request).
        RequestReader.discardRest(request);
        if (refusal.status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"hiring\"");
        } else if (refusal.status == 503) {
            JsonAnswers.retryLater(response);
            ObservedGraphQL.unavailable(request, refusal.code);
        }
        JsonAnswers.json(response, callback, refusal.status, contentType, JsonAnswers.error(refusal.code, refusal.getMessage()));
    }

    /** The document to run: the request's own, or the persisted one its hash names. */
    private String persisted(GraphQLRequest request) throws Refusal, RequestError {
        String query;
        try {
            query = persisted.resolve(request.query(), request.extensions().get("persistedQuery"));
        } catch (PersistedQueries.Problem problem) {
            if (problem.malformed) {
                throw new Refusal(400, problem.code, problem.getMessage());
            }
            throw new RequestError(problem.code, problem.getMessage());
        }
        if (query == null || query.isBlank()) {
            throw new Refusal(400, "BAD_REQUEST", "The request has no 'query'.");
        }
        return query;
    }

    /** The document parsed and validated (once per distinct document), or its errors. */
    private DocumentCache.Prepared prepare(String query) throws RequestError {
        DocumentCache.Prepared prepared = documents.prepare(query);
        if (prepared.entry().hasErrors()) {
            throw new RequestError(GraphQLAnswers.errors(prepared.entry().getErrors()));
        }
        return prepared;
    }

    private static OperationDefinition operation(Document document, String name) throws RequestError {
        List<OperationDefinition> operations = document.getDefinitionsOfType(OperationDefinition.class);
        if (name == null) {
            if (operations.size() != 1) {
                throw new RequestError("OPERATION_NOT_FOUND", "The document has " + operations.size()
                        + " operations: name the one to run in 'operationName'.");
            }
            return operations.get(0);
        }
        return operations.stream().filter(o -> name.equals(o.getName())).findFirst()
                .orElseThrow(() -> new RequestError("OPERATION_NOT_FOUND", "No operation named '" + name + "'."));
    }

    /** The user of the bearer token; none for an anonymous request, which may only sign in or introspect. */
    private Optional<User> authenticate(Request request, Document document, OperationDefinition operation)
            throws Refusal {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            if (AccessPolicy.anonymousMayRun(document, operation)) {
                return Optional.empty();
            }
            throw new Refusal(401, "UNAUTHENTICATED", "Sign in first: send 'Authorization: Bearer <token>'"
                    + " (POST /token or the login mutation gives one).");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Refusal(401, "UNAUTHENTICATED", "The Authorization header must be 'Bearer <token>'.");
        }
        return Optional.of(auth.authenticate(header.substring(7).trim()).orElseThrow(() -> new Refusal(401,
                "INVALID_TOKEN", "The token is invalid or expired, or its user no longer exists: sign in again.")));
    }

    /**
     * The request's {@code Idempotency-Key} header, null when it has none. It keys one mutation, so it is
     * refused with any operation that is not exactly one of the keyed mutations: a key must name one result.
     */
    private static String idempotencyKey(Request request, Document document, OperationDefinition operation)
            throws Refusal {
        List<String> values = request.getHeaders().getValuesList(IDEMPOTENCY_KEY);
        if (values.isEmpty()) {
            return null;
        }
        String key = values.get(0);
        if (values.size() > 1 || !IdempotencyKeys.valid(key)) {
            throw new Refusal(400, "INVALID_IDEMPOTENCY_KEY", "Send one " + IDEMPOTENCY_KEY + " header. "
                    + IdempotencyKeys.KEY_RULE);
        }
        List<String> fields = RootFields.of(document, operation);
        if (operation.getOperation() != OperationDefinition.Operation.MUTATION || fields.size() != 1
                || !IdempotencyKeys.KEYED_MUTATIONS.contains(fields.get(0))) {
            throw new Refusal(400, "IDEMPOTENCY_KEY_NOT_APPLICABLE", "The " + IDEMPOTENCY_KEY + " header keys an"
                    + " operation of exactly one of the mutations " + String.join(", ",
                            IdempotencyKeys.KEYED_MUTATIONS.stream().sorted().toList()) + "; this one has "
                    + (fields.isEmpty() ? "none" : String.join(", ", fields)) + ". Send the others without it, or"
                    + " give each mutation its own idempotencyKey argument.");
        }
        return key;
    }

    /** The answer as an event stream: a subscription's results one by one, anything else as one event. */
    private void stream(Response response, Callback callback, ExecutionResult result) {
        EventStream events = new EventStream(response, callback, heartbeats, GraphQLHandler::shape);
        if (result.isDataPresent() && result.getData() instanceof Publisher<?> publisher) {
            @SuppressWarnings("unchecked")
            Publisher<ExecutionResult> results = (Publisher<ExecutionResult>) publisher;
            subscriptions.add(events);
            events.whenEnded(() -> subscriptions.remove(events));
            results.subscribe(events);
            // Begun as the stop ended the others: it ends too.
            if (stop.isRefusing()) {
                endForStop(events);
            }
        } else {
            events.single(shape(result));
        }
    }

    private static Map<String, Object> shape(ExecutionResult result) {
        return GraphQLAnswers.withCodes(result.toSpecification());
    }
}
