package dev.hiringkit.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.User;
import dev.hiringkit.server.db.DatabaseFailures;
import dev.hiringkit.server.graphql.HiringGraphQL;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.parser.InvalidSyntaxException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GraphQL over HTTP: POST with a JSON body, or a GraphQL multipart request to upload files (see
 * {@link MultipartRequest}); GET for queries only. Answers {@code application/graphql-response+json} when
 * the client accepts it, else {@code application/json}. A body or document that does not parse is a 400,
 * a wrong content type a 415, a body over its limit a 413, a missing or bad token a 401 with
 * {@code WWW-Authenticate: Bearer}. A database that cannot be reached, when it is the only error, is a 503
 * with {@code Retry-After}.
 */
final class GraphQLHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(GraphQLHandler.class);

    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    private static final String JSON = "application/json";
    private static final String MULTIPART = "multipart/form-data";
    /** Fields anyone may ask for without a token: signing in, and the schema (for GraphiQL). */
    private static final Set<String> ANONYMOUS_FIELDS = Set.of("login", "__schema", "__type", "__typename");

    private final GraphQL graphQL;
    private final ParsedDocuments documents = new ParsedDocuments();
    private final Auth auth;
    private final int maxBodyBytes;
    private final long maxUploadBytes;
    private final boolean introspection;

    GraphQLHandler(GraphQL graphQL, Auth auth, int maxBodyBytes, long maxUploadBytes, boolean introspection) {
        this.graphQL = graphQL;
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
        this.maxUploadBytes = maxUploadBytes;
        this.introspection = introspection;
    }

    /** What the client asked: the document, the operation, the variables. */
    private record GraphQLRequest(String query, String operationName, Map<String, Object> variables) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        // The spec's newer media type when the client names it; application/json otherwise.
        String contentType = (Http.accepts(request, GRAPHQL_RESPONSE) ? GRAPHQL_RESPONSE : JSON) + "; charset=utf-8";
        MultipartRequest multipart = null;
        try {
            String method = request.getMethod();
            boolean get = HttpMethod.GET.is(method);
            if (!get && !HttpMethod.POST.is(method)) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
                throw new Refusal(405, "METHOD_NOT_ALLOWED", "Use POST, or GET for queries.");
            }
            String bodyType = Http.mediaType(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
            GraphQLRequest graphQLRequest;
            if (get) {
                graphQLRequest = fromQueryString(request);
            } else if (bodyType.equals(MULTIPART)) {
                multipart = MultipartRequest.start(request, maxUploadBytes);
                graphQLRequest = fromObject(multipart.operations(maxBodyBytes));
            } else if (bodyType.equals(JSON)) {
                graphQLRequest = fromBody(request);
            } else {
                throw new Refusal(415, "UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json, or as"
                        + " multipart/form-data to upload files.");
            }
            Document document = parse(graphQLRequest.query());
            OperationDefinition operation = operation(document, graphQLRequest.operationName());
            if (get && operation.getOperation() != OperationDefinition.Operation.QUERY) {
                response.getHeaders().put(HttpHeader.ALLOW, "POST");
                throw new Refusal(405, "METHOD_NOT_ALLOWED", "A mutation must be sent with POST.");
            }
            if (!introspection && asksFor(document, operation.getSelectionSet(), Set.of("__schema", "__type"))) {
                throw new Refusal(400, "INTROSPECTION_DISABLED", "Introspection is switched off on this server.");
            }
            Optional<User> user = authenticate(request, document, operation);
            ExecutionInput input = ExecutionInput.newExecutionInput()
                    .query(graphQLRequest.query())
                    .operationName(graphQLRequest.operationName())
                    .variables(graphQLRequest.variables())
                    .graphQLContext(context -> {
                        context.put(HiringGraphQL.ADDRESS, Http.address(request));
                        user.ifPresent(u -> context.put(HiringGraphQL.USER, u));
                    })
                    .build();
            ExecutionResult result = graphQL.execute(input);
            if (multipart != null && multipart.problem() != null) {
                // The request itself was broken (malformed, too large, a file missing): that is the answer.
                throw multipart.problem();
            }
            Map<String, Object> answer = withCodes(result.toSpecification());
            // Errors before execution (validation, limits) leave no data: per the spec, a 400.
            int status = !result.isDataPresent() && !result.getErrors().isEmpty() ? 400 : 200;
            if (onlyDatabaseUnavailable(answer)) {
                // Nothing failed but the database's absence: a client (or a load balancer) should retry.
                status = 503;
                Http.retryLater(response);
            }
            Http.json(response, callback, status, contentType, answer);
        } catch (Refusal refusal) {
            refuse(request, response, callback, contentType, refusal);
        } catch (Http.TooLarge e) {
            Http.json(response, callback, 413, contentType, Http.error("BODY_TOO_LARGE",
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
        Http.discardRest(request);
        if (refusal.status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"hiring\"");
        } else if (refusal.status == 503) {
            Http.retryLater(response);
        }
        Http.json(response, callback, refusal.status, contentType, Http.error(refusal.code, refusal.getMessage()));
    }

    private GraphQLRequest fromBody(Request request) throws Refusal, IOException {
        Object body;
        try {
            body = Http.json(request, maxBodyBytes);
        } catch (JsonProcessingException e) {
            throw new Refusal(400, "BAD_REQUEST", "The body is not JSON.");
        }
        return fromObject(body);
    }

    /** The request in a JSON body, or in the operations part of a multipart request. */
    private static GraphQLRequest fromObject(Object parsed) throws Refusal {
        if (!(parsed instanceof Map<?, ?>)) {
            throw new Refusal(400, "BAD_REQUEST", "The body must be a JSON object with a 'query'.");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) parsed;
        Object variables = body.get("variables");
        if (variables != null && !(variables instanceof Map<?, ?>)) {
            throw new Refusal(400, "BAD_REQUEST", "'variables' must be a JSON object.");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> variableMap = variables == null ? Map.of() : (Map<String, Object>) variables;
        return new GraphQLRequest(text(body, "query"), text(body, "operationName"), variableMap);
    }

    private static GraphQLRequest fromQueryString(Request request) throws Refusal {
        Fields fields = Request.extractQueryParameters(request);
        Map<String, Object> variables = Map.of();
        String raw = fields.getValue("variables");
        if (raw != null && !raw.isEmpty()) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = Http.JSON.readValue(raw, Map.class);
                variables = parsed;
            } catch (JsonProcessingException e) {
                throw new Refusal(400, "BAD_REQUEST", "'variables' is not a JSON object.");
            }
        }
        return new GraphQLRequest(fields.getValue("query"), fields.getValue("operationName"), variables);
    }

    private static String text(Map<String, Object> body, String field) throws Refusal {
        Object value = body.get(field);
        if (value != null && !(value instanceof String)) {
            throw new Refusal(400, "BAD_REQUEST", "'" + field + "' must be a string.");
        }
        return (String) value;
    }

    private Document parse(String query) throws Refusal {
        if (query == null || query.isBlank()) {
            throw new Refusal(400, "BAD_REQUEST", "The request has no 'query'.");
        }
        try {
            return documents.parse(query);
        } catch (InvalidSyntaxException e) {
            throw new Refusal(400, "GRAPHQL_PARSE_FAILED", e.getMessage());
        }
    }

    private static OperationDefinition operation(Document document, String name) throws Refusal {
        List<OperationDefinition> operations = document.getDefinitionsOfType(OperationDefinition.class);
        if (name == null) {
            if (operations.size() != 1) {
                throw new Refusal(400, "BAD_REQUEST", "The document has " + operations.size()
                        + " operations: name the one to run in 'operationName'.");
            }
            return operations.get(0);
        }
        return operations.stream().filter(o -> name.equals(o.getName())).findFirst()
                .orElseThrow(() -> new Refusal(400, "BAD_REQUEST", "No operation named '" + name + "'."));
    }

    /** The user of the bearer token; none for an anonymous request, which may only sign in or introspect. */
    private Optional<User> authenticate(Request request, Document document, OperationDefinition operation)
            throws Refusal {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            if (onlyAsksFor(document, operation.getSelectionSet(), ANONYMOUS_FIELDS)) {
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

    private static boolean onlyAsksFor(Document document, SelectionSet set, Set<String> allowed) {
        return topLevelFields(document, set).stream().allMatch(allowed::contains);
    }

    private static boolean asksFor(Document document, SelectionSet set, Set<String> names) {
        for (Selection<?> selection : set.getSelections()) {
            if (selection instanceof Field field) {
                if (names.contains(field.getName())
                        || field.getSelectionSet() != null && asksFor(document, field.getSelectionSet(), names)) {
                    return true;
                }
            } else if (selection instanceof InlineFragment inline) {
                if (asksFor(document, inline.getSelectionSet(), names)) {
                    return true;
                }
            } else if (selection instanceof FragmentSpread spread) {
                Optional<FragmentDefinition> fragment = fragment(document, spread.getName());
                if (fragment.isPresent() && asksFor(document, fragment.get().getSelectionSet(), names)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> topLevelFields(Document document, SelectionSet set) {
        return set.getSelections().stream().flatMap(selection -> {
            if (selection instanceof Field field) {
                return java.util.stream.Stream.of(field.getName());
            }
            SelectionSet inner = selection instanceof InlineFragment inline ? inline.getSelectionSet()
                    : selection instanceof FragmentSpread spread
                            ? fragment(document, spread.getName()).map(FragmentDefinition::getSelectionSet).orElse(null)
                            : null;
            // An unknown fragment counts as a field no anonymous caller may ask for.
            return inner == null ? java.util.stream.Stream.of("?") : topLevelFields(document, inner).stream();
        }).toList();
    }

    private static Optional<FragmentDefinition> fragment(Document document, String name) {
        return document.getDefinitionsOfType(FragmentDefinition.class).stream()
                .filter(f -> f.getName().equals(name)).findFirst();
    }

    /** Every error carries extensions.code; graphql-java's own (validation, limits) get one from their kind. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withCodes(Map<String, Object> specification) {
        Object errors = specification.get("errors");
        if (errors instanceof List<?> list) {
            for (Object e : list) {
                Map<String, Object> error = (Map<String, Object>) e;
                Map<String, Object> extensions = (Map<String, Object>) error.computeIfAbsent("extensions",
                        k -> new LinkedHashMap<>());
                if (!extensions.containsKey("code")) {
                    Object classification = extensions.getOrDefault("classification", "GRAPHQL_VALIDATION_FAILED");
                    extensions.put("code", classification instanceof String s ? s : "GRAPHQL_VALIDATION_FAILED");
                }
            }
        }
        return specification;
    }

    /** True when the answer has errors and every one is the database's absence. */
    @SuppressWarnings("unchecked")
    private static boolean onlyDatabaseUnavailable(Map<String, Object> answer) {
        return answer.get("errors") instanceof List<?> errors && !errors.isEmpty() && errors.stream().allMatch(e ->
                ((Map<String, Object>) e).get("extensions") instanceof Map<?, ?> extensions
                        && DatabaseFailures.UNAVAILABLE.equals(extensions.get("code")));
    }
}
