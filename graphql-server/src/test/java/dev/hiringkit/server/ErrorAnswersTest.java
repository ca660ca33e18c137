package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every answer is JSON with a code, whatever went wrong: unknown paths, requests Jetty cannot read
 * (sent on raw sockets, as no well-behaved client would), uncaught exceptions, and text PostgreSQL
 * cannot hold (U+0000) reaching a lookup.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorAnswersTest {

    /** A request with this header makes the server's handler throw, as a bug would. */
    private static final String FAIL = "X-Test-Fail";
    private static final String SECRET_DETAIL = "secret detail of the failure";
    /** A qualified Java name, such as org.eclipse.jetty.http.HttpException or java.lang.IllegalStateException. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b[a-z]+(\\.[a-z0-9]+)+\\.[A-Z]\\w+");

    @TempDir
    static Path dir;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, settings -> settings,
                handler -> new Handler.Wrapper(handler) {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) throws Exception {
                        if (request.getHeaders().contains(FAIL)) {
                            throw new IllegalStateException(SECRET_DETAIL);
                        }
                        return super.handle(request, response, callback);
                    }
                });
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        server.dataSource.close();
    }

    // ---- answers Jetty gives without a handler -----------------------------------------------------

    @Test
    void unknownPathsAreJson404s() throws Exception {
        for (String method : new String[] {"GET", "POST", "PUT", "DELETE", "OPTIONS"}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(server.base.resolve("/nowhere"))
                    .header("Accept", "text/html").method(method, HttpRequest.BodyPublishers.ofString("x")));
            assertGraphQLError(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body(), 404, "NOT_FOUND");
        }
        // Directories are no pages: neither listed nor redirected to.
        for (String path : new String[] {"/graphql/more", "/graphiql/missing.js", "/dashboard/missing.css",
                "/webjars/none/1.0/none.js", "/tokens", "/webjars/", "/webjars/graphiql", "/webjars/graphiql/2.4.7/"}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(server.base.resolve(path)).GET());
            assertGraphQLError(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body(), 404, "NOT_FOUND");
        }
        HttpResponse<String> head = send(HttpRequest.newBuilder(server.base.resolve("/nowhere"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(404, head.statusCode());
        assertEquals("", head.body());
        assertEquals(Optional.empty(), head.headers().firstValue("Server"), "no server name and version");
    }

    @Test
    void pagesAreReadOnly() throws Exception {
        for (String path : new String[] {"/dashboard", "/graphiql/", "/webjars/graphiql/2.4.7/graphiql.min.js"}) {
            HttpResponse<String> post = send(HttpRequest.newBuilder(server.base.resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))));
            assertGraphQLError(post.statusCode(), post.headers().firstValue("Content-Type").orElse(""), post.body(),
                    405, "METHOD_NOT_ALLOWED");
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""), path);
            assertEquals(200, send(HttpRequest.newBuilder(server.base.resolve(path)).GET()).statusCode(), path);
        }
    }

    @Test
    void requestsJettyCannotReadAreJson() throws Exception {
        assertRaw("GARBAGE\r\n\r\n", 400, "BAD_REQUEST");
        assertRaw("GET /graphql HTTP/1.1\r\nHost: localhost\r\nno colon in this header\r\n\r\n", 400, "BAD_REQUEST");
        assertRaw("GET /graphql HTTP/1.1\r\nHost: localhost\r\nX-Nul: a\u0000b\r\n\r\n", 400, "BAD_REQUEST");
        assertRaw("GET /gr%zzaphql HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 400, "BAD_REQUEST");
        assertRaw("GET /graphiql/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                400, "BAD_REQUEST");
        assertRaw("GET /graphql HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", 431,
                "HEADERS_TOO_LARGE");
        assertRaw("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 414, "URI_TOO_LONG");
        assertRaw("GET /graphql HTTP/7.1\r\nHost: localhost\r\n\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED");
        assertRaw("GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 404, "NOT_FOUND");
        // The same refusal through an ordinary client.
        HttpResponse<String> big = send(HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("X-Big", "b".repeat(20_000)).GET());
        assertGraphQLError(big.statusCode(), big.headers().firstValue("Content-Type").orElse(""), big.body(), 431,
                "HEADERS_TOO_LARGE");
    }

    @Test
    void anUncaughtExceptionIsAJson500WithoutItsName() throws Exception {
        HttpResponse<String> graphql = send(HttpRequest.newBuilder(server.base.resolve("/graphql")).header(FAIL, "yes")
                .header("Accept", "text/html,*/*").GET());
        assertGraphQLError(graphql.statusCode(), graphql.headers().firstValue("Content-Type").orElse(""), graphql.body(),
                500, "INTERNAL_ERROR");
        assertFalse(graphql.body().contains(SECRET_DETAIL), graphql.body());
        assertFalse(graphql.body().contains("IllegalStateException"), graphql.body());

        HttpResponse<String> token = send(HttpRequest.newBuilder(server.base.resolve("/token")).header(FAIL, "yes")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=reader&password=x")));
        assertOAuthError(token, 500, "server_error");
        assertFalse(token.body().contains(SECRET_DETAIL), token.body());

        // The server keeps serving.
        assertEquals("reader", server.data(server.token("reader"), "{ me { username } }", null).at("/me/username").asText());
    }

    // ---- text PostgreSQL cannot hold -----------------------------------------------------------------

    @Test
    void aNulInTheTokenFormIsAnInvalidRequest() throws Exception {
        assertOAuthError(server.form("/token", "grant_type=password&username=rea%00der&password=correct+horse+battery",
                null), 400, "invalid_request");
        assertOAuthError(server.form("/token", "grant_type=password&username=reader&password=correct%00horse", null), 400,
                "invalid_request");
        // Longer than bcrypt's 72 bytes: a wrong password like any other.
        assertOAuthError(server.form("/token", "grant_type=password&username=reader&password=" + "p".repeat(100), null), 400,
                "invalid_grant");
        // The same limit when a password is set: 40 accented letters are 80 bytes, past it; 36 are 72, within.
        assertThrows(IllegalArgumentException.class, () -> server.users.add("accented", "é".repeat(40).toCharArray(),
                Role.READER));
        assertTrue(server.users.add("accented", "é".repeat(36).toCharArray(), Role.READER));
        assertEquals(200, server.form("/token", "grant_type=password&username=accented&password="
                + URLEncoder.encode("é".repeat(36), StandardCharsets.UTF_8), null).statusCode());
        // Nothing else broke: the right password still works.
        assertEquals(200, server.form("/token", "grant_type=password&username=reader&password=correct+horse+battery",
                null).statusCode());
    }

    @Test
    void aNulReachingALookupIsABadRequest() throws Exception {
        String nul = "a\u0000b";
        assertGraphQLCode(server.post(null, "mutation($u: String!) { login(username: $u, password: \"correct horse battery\")"
                + " { accessToken } }", Map.of("u", nul)), "BAD_REQUEST");
        assertGraphQLCode(server.post(null, "mutation($p: String!) { login(username: \"reader\", password: $p)"
                + " { accessToken } }", Map.of("p", nul)), "BAD_REQUEST");
        String reader = server.token("reader");
        assertGraphQLCode(server.post(reader, "query($s: String) { rejections(source: $s) { edges { node { source } } } }",
                Map.of("s", nul)), "BAD_REQUEST");
        assertGraphQLCode(server.post(reader, "query($l: ID) { rejections(loadId: $l) { edges { node { source } } } }",
                Map.of("l", nul)), "BAD_REQUEST");
        assertGraphQLCode(server.post(reader, "query($a: String) { departments(after: $a) { edges { cursor } } }",
                Map.of("a", nul)), "BAD_REQUEST");
        assertGraphQLCode(server.post(server.token("writer"), "mutation($s: String!) { loadHistorical(source: $s) { id } }",
                Map.of("s", nul)), "BAD_REQUEST");
        assertGraphQLCode(server.post(server.token("writer"), "mutation($s: String!) { loadHistorical(source: $s) { id } }",
                Map.of("s", "s3://bucket/" + nul)), "BAD_REQUEST");
        HttpResponse<String> restore = server.post(server.token("admin"), "mutation($b: String) { restore(backupId: $b)"
                + " { backupId } }", Map.of("b", nul));
        assertTrue(code(restore).matches("BAD_REQUEST|BACKUP_NOT_FOUND"), restore.body());
        assertClean(restore.body());
        // In a query string the parser refuses it before anything runs.
        HttpResponse<String> get = send(HttpRequest.newBuilder(server.base.resolve("/graphql?query="
                + URLEncoder.encode("{ rejections(source: \"a\u0000b\") { edges { node { source } } } }", StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + reader).GET());
        assertTrue(get.statusCode() == 400 || get.statusCode() == 200, get.statusCode() + " " + get.body());
        assertTrue(code(get).matches("BAD_REQUEST|GRAPHQL_PARSE_FAILED"), get.body());
        assertClean(get.body());
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> response) throws Exception {
        return TestServer.JSON.readTree(response.body()).at("/errors/0/extensions/code").asText();
    }

    /** A GraphQL answer whose only error has {@code code}, never a 5xx. */
    private static void assertGraphQLCode(HttpResponse<String> response, String code) throws Exception {
        assertTrue(response.statusCode() < 500, response.statusCode() + " " + response.body());
        assertEquals(code, code(response), response.body());
        assertClean(response.body());
    }

    private static void assertGraphQLError(int status, String contentType, String body, int expectedStatus,
            String expectedCode) throws Exception {
        assertEquals(expectedStatus, status, body);
        assertTrue(contentType.toLowerCase(Locale.ROOT).startsWith("application/json"), contentType + " " + body);
        JsonNode error = TestServer.JSON.readTree(body).at("/errors/0");
        assertEquals(expectedCode, error.at("/extensions/code").asText(), body);
        assertFalse(error.path("message").asText().isBlank(), body);
        assertClean(body);
    }

    private static void assertOAuthError(HttpResponse<String> response, int status, String error) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = TestServer.JSON.readTree(response.body());
        assertEquals(error, body.path("error").asText(), response.body());
        assertFalse(body.path("error_description").asText().isBlank(), response.body());
        assertClean(response.body());
    }

    /** No HTML, no exception or class name, no SQL. */
    private static void assertClean(String body) {
        String lower = body.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("<html") || lower.contains("<h2") || lower.contains("exception")
                || lower.contains("jetty") || lower.contains("postgres") || lower.contains("sql"), body);
        assertFalse(CLASS_NAME.matcher(body).find(), body);
    }

    private record RawResponse(int status, Map<String, String> headers, String body) {
    }

    /** Sends bytes no well-behaved client would, and reads the answer until the server closes the connection. */
    private RawResponse raw(String request) throws IOException {
        try (Socket socket = new Socket("localhost", server.base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            assertTrue(end > 0, "no complete answer: " + answer);
            String[] lines = answer.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            return new RawResponse(Integer.parseInt(lines[0].split(" ")[1]), headers, answer.substring(end + 4));
        }
    }

    private void assertRaw(String request, int status, String code) throws Exception {
        RawResponse response = raw(request);
        String shown = request.length() > 60 ? request.substring(0, 60) + "..." : request;
        assertEquals(status, response.status(), shown + " -> " + response);
        assertGraphQLError(response.status(), response.headers().getOrDefault("content-type", ""), response.body(), status,
                code);
    }
}
