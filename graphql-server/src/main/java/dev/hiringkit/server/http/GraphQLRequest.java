package dev.hiringkit.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * What the client asked: the document, the operation, the variables, the extensions; read from a GET's
 * query string, a JSON body, or the operations part of a multipart request, as GraphQL over HTTP says.
 */
record GraphQLRequest(String query, String operationName, Map<String, Object> variables,
        Map<String, Object> extensions) {

    /** The request in a JSON body of at most {@code maxBodyBytes}. */
    static GraphQLRequest fromBody(Request request, int maxBodyBytes) throws Refusal, IOException {
        Object body;
        try {
            body = RequestReader.json(request, maxBodyBytes);
        } catch (JsonProcessingException e) {
            throw new Refusal(400, "BAD_REQUEST", "The body is not JSON.");
        }
        return fromObject(body);
    }

    /** The request in a JSON body, or in the operations part of a multipart request. */
    static GraphQLRequest fromObject(Object parsed) throws Refusal {
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
        Object extensions = body.get("extensions");
        if (extensions != null && !(extensions instanceof Map<?, ?>)) {
            throw new Refusal(400, "BAD_REQUEST", "'extensions' must be a JSON object.");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> extensionMap = extensions == null ? Map.of() : (Map<String, Object>) extensions;
        return new GraphQLRequest(text(body, "query"), text(body, "operationName"), variableMap, extensionMap);
    }

    /** The request of a GET: its query-string parameters. */
    static GraphQLRequest fromQueryString(Request request) throws Refusal {
        Fields fields = Request.extractQueryParameters(request);
        return new GraphQLRequest(fields.getValue("query"), fields.getValue("operationName"),
                jsonObject(fields, "variables"), jsonObject(fields, "extensions"));
    }

    /** A query-string parameter holding a JSON object, such as {@code variables}; empty when absent. */
    private static Map<String, Object> jsonObject(Fields fields, String name) throws Refusal {
        String raw = fields.getValue(name);
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = JsonAnswers.JSON.readValue(raw, Map.class);
            return parsed == null ? Map.of() : parsed;
        } catch (JsonProcessingException e) {
            throw new Refusal(400, "BAD_REQUEST", "'" + name + "' is not a JSON object.");
        }
    }

    private static String text(Map<String, Object> body, String field) throws Refusal {
        Object value = body.get(field);
        if (value != null && !(value instanceof String)) {
            throw new Refusal(400, "BAD_REQUEST", "'" + field + "' must be a string.");
        }
        return (String) value;
    }
}
