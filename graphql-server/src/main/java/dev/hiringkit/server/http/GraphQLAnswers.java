package dev.hiringkit.server.http;

import dev.hiringkit.HiringException;
import dev.hiringkit.server.db.DatabaseFailures;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The codes and status of a GraphQL answer: every error carries {@code extensions.code}, and the status
 * follows the GraphQL-over-HTTP spec (see {@link GraphQLHandler}).
 */
final class GraphQLAnswers {

    /**
     * Codes of failures that a retry a little later mends, a 503 with Retry-After when every error is one:
     * the database's absence, and a table a historical load keeps other writers out of (TABLE_BUSY).
     */
    static final Set<String> RETRY_LATER_CODES = Set.of(DatabaseFailures.UNAVAILABLE,
            HiringException.Code.TABLE_BUSY.name());
    /** Codes of refusals for an operation's size: a 400 whatever the media type. */
    static final Set<String> LIMIT_CODES = Set.of("OPERATION_TOO_DEEP", "OPERATION_TOO_COMPLEX",
            "OPERATION_TOO_COSTLY");
    /** graphql-java's error kinds, named by class, as codes for people and programs. */
    static final Map<String, String> CODES = Map.of(
            "InvalidSyntax", "GRAPHQL_PARSE_FAILED",
            "ValidationError", "GRAPHQL_VALIDATION_FAILED",
            "BadFaithIntrospection", "INTROSPECTION_TOO_LARGE",
            "IntrospectionDisabled", "INTROSPECTION_DISABLED",
            "DataFetchingException", "INTERNAL_ERROR",
            "NullValueInNonNullableField", "INTERNAL_ERROR",
            "OperationNotSupported", "OPERATION_NOT_SUPPORTED",
            "ExecutionAborted", "REQUEST_ABORTED");

    private GraphQLAnswers() {
    }

    /** graphql-java's errors before execution (syntax, validation), with their codes. */
    static List<Map<String, Object>> errors(List<? extends GraphQLError> errors) {
        Map<String, Object> answer = withCodes(Map.of("errors", errors.stream().map(GraphQLError::toSpecification)
                .map(e -> (Map<String, Object>) new LinkedHashMap<>(e)).toList()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) answer.get("errors");
        return list;
    }

    /**
     * Every error carries extensions.code; graphql-java's own (syntax, validation, variables) get one from
     * their kind. graphql-java's "classification", which names its error classes, is left out.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withCodes(Map<String, Object> specification) {
        Object errors = specification.get("errors");
        if (errors instanceof List<?> list) {
            for (Object e : list) {
                Map<String, Object> error = (Map<String, Object>) e;
                Object current = error.get("extensions");
                Map<String, Object> extensions = current == null ? new LinkedHashMap<>()
                        : new LinkedHashMap<>((Map<String, Object>) current);
                Object classification = extensions.remove("classification");
                if (!extensions.containsKey("code")) {
                    String kind = classification instanceof String text ? text : "";
                    extensions.put("code", CODES.getOrDefault(kind, kind.matches("[A-Z][A-Z_]+") ? kind
                            : "GRAPHQL_VALIDATION_FAILED"));
                }
                error.put("extensions", extensions);
            }
        }
        return specification;
    }

    /** The status of an executed request's answer; see the class comment. */
    static int status(ExecutionResult result, Map<String, Object> answer, boolean graphQLResponse) {
        if (onlyRetryLater(answer)) {
            return 503;
        }
        if (result.isDataPresent() || result.getErrors().isEmpty()) {
            return 200;
        }
        if (codes(answer).stream().anyMatch(LIMIT_CODES::contains)) {
            return 400;
        }
        // No data: refused before execution (variables that do not coerce, an argument out of range).
        return graphQLResponse ? 400 : 200;
    }

    /** The code of the answer's first error, null when it has none. */
    static Object firstCode(Map<String, Object> answer) {
        List<Object> codes = codes(answer);
        return codes.isEmpty() ? null : codes.get(0);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> codes(Map<String, Object> answer) {
        return answer.get("errors") instanceof List<?> errors ? errors.stream()
                .map(e -> ((Map<String, Object>) e).get("extensions"))
                .<Object>map(x -> x instanceof Map<?, ?> m ? m.get("code") : null).toList() : List.<Object>of();
    }

    /** True when the answer has errors and every one is worth retrying later (see {@link #RETRY_LATER_CODES}). */
    @SuppressWarnings("unchecked")
    private static boolean onlyRetryLater(Map<String, Object> answer) {
        return answer.get("errors") instanceof List<?> errors && !errors.isEmpty() && errors.stream().allMatch(e ->
                ((Map<String, Object>) e).get("extensions") instanceof Map<?, ?> extensions
                        && RETRY_LATER_CODES.contains(extensions.get("code")));
    }
}
