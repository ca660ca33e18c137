package dev.hiringkit.server.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The JSON answers every handler writes: the body (never cached), the GraphQL error shape every refusal has,
 * the OAuth2 error shape of {@code /token}, and a 503's Retry-After.
 */
final class JsonAnswers {

    /** Reads one JSON value per body: anything after it is an error, not ignored. */
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static final String JSON_TYPE = "application/json; charset=utf-8";

    /**
     * The Retry-After of a 503: long enough for a restarting PostgreSQL (a few seconds), short enough
     * that clients come back soon after it is up.
     */
    static final int RETRY_AFTER_SECONDS = 5;

    private JsonAnswers() {
    }

    static void json(Response response, Callback callback, int status, String contentType, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        send(response, callback, status, contentType, bytes);
    }

    static void send(Response response, Callback callback, int status, String contentType, byte[] bytes) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** The GraphQL error shape every refusal outside {@code /token} has: one error with its code. */
    static Map<String, Object> error(String code, String message) {
        return Map.of("errors", List.of(errorEntry(code, message)));
    }

    /** One GraphQL error: its message, and its code in {@code extensions}. */
    static Map<String, Object> errorEntry(String code, String message) {
        return Map.of("message", message, "extensions", Map.of("code", code));
    }

    /** The OAuth2 error shape (RFC 6749, section 5.2) of every refusal at {@code /token}. */
    static Map<String, String> oauthError(String error, String description) {
        return Map.of("error", error, "error_description", description);
    }

    /** Marks a 503 answer as worth retrying soon. */
    static void retryLater(Response response) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
    }
}
