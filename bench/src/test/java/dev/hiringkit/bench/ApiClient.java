package dev.hiringkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A client of the cluster's GraphQL API through the load balancer, as a pipeline would be: it signs in
 * once (the token is good on every instance: they share the signing secret) and posts operations, each
 * answered with an {@link Answer} that says whether it was acknowledged and, if not, what went wrong.
 */
final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final String password;
    private volatile String token;

    ApiClient(HttpClient http, URI base, String password) {
        this.http = http;
        this.base = base;
        this.password = password;
    }

    /**
     * One attempt's outcome: {@code data} when acknowledged (HTTP 200, no errors), else {@code failure}, a
     * short kind such as "timeout", "connection", "503 DATABASE_UNAVAILABLE" or "503 from HAProxy".
     */
    record Answer(JsonNode data, boolean replayed, String failure) {

        boolean acknowledged() {
            return failure == null;
        }
    }

    /** Posts an operation once; never throws for what a retry may cure. */
    Answer post(String query, Map<String, ?> variables, String idempotencyKey, Duration timeout) throws InterruptedException {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("query", query, "variables", variables));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
        String bearer;
        try {
            bearer = token();
        } catch (IOException e) {
            return new Answer(null, false, "sign-in " + (e instanceof HttpTimeoutException ? "timeout" : "failed"));
        }
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/graphql"))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + bearer)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (idempotencyKey != null) {
                request.header(ClusterNames.IDEMPOTENCY_KEY_HEADER, idempotencyKey);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            boolean replayed = response.headers().firstValue(ClusterNames.REPLAYED_HEADER).map("true"::equalsIgnoreCase)
                    .orElse(false);
            JsonNode json;
            try {
                json = JSON.readTree(response.body());
            } catch (IOException e) {
                // only HAProxy answers in HTML: 503 when no instance is ready, 502/504 when one failed mid-answer
                return new Answer(null, replayed, response.statusCode() + " from HAProxy");
            }
            JsonNode errors = json.path("errors");
            if (response.statusCode() == 200 && errors.isMissingNode() && json.path("data").isObject()) {
                return new Answer(json.get("data"), replayed, null);
            }
            if (response.statusCode() == 401) {
                token = null;
            }
            String code = errors.path(0).path("extensions").path("code").asText("");
            return new Answer(null, replayed, response.statusCode() + " " + (code.isEmpty() ? "(no code)" : code));
        } catch (HttpTimeoutException e) {
            return new Answer(null, false, "timeout");
        } catch (IOException e) {
            return new Answer(null, false, "connection");
        }
    }

    /** A token of the admin user, signed in when there is none. */
    private String token() throws IOException, InterruptedException {
        String current = token;
        if (current != null) {
            return current;
        }
        String form = "grant_type=password&username=admin&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("sign-in answered " + response.statusCode());
        }
        current = JSON.readTree(response.body()).path("access_token").asText();
        token = current;
        return current;
    }
}
