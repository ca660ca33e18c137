package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens bound to their account (an id never reused and a version), on every server at once; the token
 * times a signature does not vouch for; an honest Retry-After; and machine clients signing in with the
 * OAuth2 client_credentials grant, recorded as who made their loads and batches. All over real HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInTest {

    @TempDir
    static Path dir;
    private TestServer server;
    private TestServer second;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true);
        second = new TestServer(server, dir.resolve("archive2"));
        Path pipeline = Files.createDirectories(dir.resolve("pipeline"));
        Files.writeString(pipeline.resolve("departments.csv"), "1,Engineering\n");
        Files.writeString(pipeline.resolve("jobs.csv"), "1,Engineer\n");
        Files.writeString(pipeline.resolve("hired_employees.csv"), "1,Ada,2021-03-01T10:00:00Z,1,1\n2,,bad,1,1\n");
    }

    @AfterAll
    void stop() throws Exception {
        second.close();
        server.close();
        server.dataSource.close();
    }

    private static int status(TestServer on, String token) throws Exception {
        return on.post(token, "{ me { username } }", null).statusCode();
    }

    /** The value once it is the expected one; the notice of a change takes milliseconds to reach a server. */
    private static <T> T eventually(Callable<T> read, T expected) throws Exception {
        T value = read.call();
        for (int i = 0; i < 200 && !expected.equals(value); i++) {
            Thread.sleep(10);
            value = read.call();
        }
        return value;
    }

    // ---- tokens bound to the user ---------------------------------------------------------------

    @Test
    void theTokenOfARemovedUserStaysRefusedWhenTheNameIsAddedAgain() throws Exception {
        server.users.add("victim2", TestServer.PASSWORD.toCharArray(), Role.WRITER);
        String old = server.token("victim2");
        assertEquals("WRITER", server.data(old, "{ me { role } }", null).at("/me/role").asText());
        assertEquals(200, status(second, old));

        server.users.remove("victim2");
        assertEquals(401, status(server, old));
        server.users.add("victim2", TestServer.PASSWORD.toCharArray(), Role.ADMIN);
        // The new victim2 is another user (another id): the old token does not become an admin's, anywhere.
        assertEquals(401, status(server, old));
        assertEquals(401, eventually(() -> status(second, old), 401));
        assertEquals("ADMIN", server.data(server.token("victim2"), "{ me { role } }", null).at("/me/role").asText());
    }

    @Test
    void aNewPasswordOrRoleEndsTheTokensIssuedBeforeOnEveryServer() throws Exception {
        server.users.add("changing", TestServer.PASSWORD.toCharArray(), Role.WRITER);
        String first = server.token("changing");
        // Used on both servers, so both remember the user.
        assertEquals(200, status(server, first));
        assertEquals(200, status(second, first));

        server.users.setPassword("changing", "another long password".toCharArray());
        assertEquals(401, status(server, first));
        assertEquals(401, eventually(() -> status(second, first), 401), "the notice reaches the other server");

        HttpResponse<String> signIn = server.form("/token", "grant_type=password&username=changing"
                + "&password=another+long+password", null);
        String second2 = TestServer.JSON.readTree(signIn.body()).get("access_token").asText();
        assertEquals(200, status(second, second2));
        // A change made with plain SQL, as by another tool, is a new version too.
        try (Connection c = server.dataSource.getConnection(); Statement sql = c.createStatement()) {
            sql.executeUpdate("UPDATE users SET role = 'ADMIN' WHERE username = 'changing'");
        }
        assertEquals(401, eventually(() -> status(second, second2), 401));
        assertEquals(401, eventually(() -> status(server, second2), 401));
    }

    // ---- what the signature does not vouch for -------------------------------------------------

    @Test
    void aTokenNeedsANumericExpAndTimesWithinTheLeeway() throws Exception {
        Map<String, Object> claims = TestJwt.claims(server.token("reader"));
        long now = server.clock.instant().getEpochSecond();
        // The forging is right: the same claims, signed again, work.
        assertEquals(200, status(server, TestJwt.hs256(TestServer.SECRET, claims)));

        Map<String, Object> noExp = new LinkedHashMap<>(claims);
        noExp.remove("exp");
        assertEquals(401, status(server, TestJwt.hs256(TestServer.SECRET, noExp)), "no exp");
        for (Object exp : new Object[] {Long.toString(now + 600), "2099-01-01T00:00:00Z", null, true}) {
            Map<String, Object> bad = new LinkedHashMap<>(claims);
            bad.put("exp", exp);
            assertEquals(401, status(server, TestJwt.hs256(TestServer.SECRET, bad)), "exp " + exp);
        }
        for (String time : new String[] {"iat", "nbf"}) {
            Map<String, Object> text = new LinkedHashMap<>(claims);
            text.put(time, Long.toString(now));
            assertEquals(401, status(server, TestJwt.hs256(TestServer.SECRET, text)), time + " as a string");
            Map<String, Object> future = new LinkedHashMap<>(claims);
            future.put(time, now + 120);
            assertEquals(401, status(server, TestJwt.hs256(TestServer.SECRET, future)), time + " 2 minutes ahead");
            Map<String, Object> skewed = new LinkedHashMap<>(claims);
            skewed.put(time, now + 10);
            assertEquals(200, status(server, TestJwt.hs256(TestServer.SECRET, skewed)), time + " 10 s ahead: within the leeway");
        }
        Map<String, Object> justExpired = new LinkedHashMap<>(claims);
        justExpired.put("exp", now - 10);
        assertEquals(200, status(server, TestJwt.hs256(TestServer.SECRET, justExpired)), "expired 10 s ago: within the leeway");
        justExpired.put("exp", now - 60);
        assertEquals(401, status(server, TestJwt.hs256(TestServer.SECRET, justExpired)), "expired a minute ago");
        Map<String, Object> otherIssuer = new LinkedHashMap<>(claims);
        otherIssuer.put("iss", "elsewhere");
        assertEquals(401, status(server, TestJwt.hs256(TestServer.SECRET, otherIssuer)), "another issuer");
    }

    // ---- truthful throttling ---------------------------------------------------------------------

    @Test
    void aClientThatWaitsRetryAfterIsAnswered() throws Exception {
        server.users.add("patient", TestServer.PASSWORD.toCharArray(), Role.READER);
        String wrong = "grant_type=password&username=patient&password=wrong+guess";
        String right = "grant_type=password&username=patient&password=correct+horse+battery";
        for (int i = 0; i < 5; i++) {
            assertEquals(400, server.form("/token", wrong, null).statusCode());
        }
        // 300 ms after the fifth failure, 700 ms of the 1 s delay are left: rounded down that said 0 (sent as 1).
        server.clock.advance(Duration.ofMillis(300));
        HttpResponse<String> throttled = server.form("/token", wrong, null);
        assertEquals(429, throttled.statusCode());
        long wait = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(1, wait);
        server.clock.advance(Duration.ofSeconds(wait));
        assertEquals(400, server.form("/token", wrong, null).statusCode(), "answered after the wait (and wrong again)");

        // The sixth failure waits 2 s; 500 ms later 1.5 s are left, which is 2 s, not 1.
        server.clock.advance(Duration.ofMillis(500));
        throttled = server.form("/token", right, null);
        assertEquals(429, throttled.statusCode());
        wait = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(2, wait);
        server.clock.advance(Duration.ofSeconds(1));
        assertEquals(429, server.form("/token", right, null).statusCode(), "1 s is not the real wait");
        server.clock.advance(Duration.ofSeconds(wait - 1));
        assertEquals(200, server.form("/token", right, null).statusCode(), "after Retry-After seconds in all");
    }

    // ---- machine clients ---------------------------------------------------------------------------

    private HttpResponse<String> clientToken(String basicUser, String basicSecret, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.base.resolve("/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (basicUser != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (basicUser + ":" + basicSecret).getBytes(StandardCharsets.UTF_8)));
        }
        return server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String accessToken(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return TestServer.JSON.readTree(response.body()).get("access_token").asText();
    }

    private static void assertInvalidClient(HttpResponse<String> response) throws Exception {
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("invalid_client", TestServer.JSON.readTree(response.body()).get("error").asText());
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
    }

    @Test
    void aPipelineSignsInWithClientCredentialsAndIsRecordedAsWhoMadeItsWork() throws Exception {
        String secret = server.clients.add("nightly-etl", Role.WRITER).orElseThrow();
        HttpResponse<String> granted = clientToken("nightly-etl", secret, "grant_type=client_credentials");
        JsonNode body = TestServer.JSON.readTree(granted.body());
        assertEquals("Bearer", body.get("token_type").asText());
        assertEquals(1800, body.get("expires_in").asInt());
        assertFalse(body.has("refresh_token"));
        assertEquals("no-store", granted.headers().firstValue("Cache-Control").orElse(""));
        String token = accessToken(granted);

        JsonNode me = server.data(token, "{ me { username role } }", null).get("me");
        assertEquals("nightly-etl", me.get("username").asText());
        assertEquals("WRITER", me.get("role").asText());

        // A batch: its refused row names the client.
        JsonNode ingest = server.data(token, "mutation { ingest(input: { departments: [{ id: 9001, department: \"\" }] })"
                + " { batchId rejected } }", null).get("ingest");
        assertEquals(1, ingest.get("rejected").asInt());
        JsonNode rejection = server.data(token, "query($id: ID) { rejections(loadId: $id) { edges { node { madeBy } } } }",
                Map.of("id", ingest.get("batchId").asText())).at("/rejections/edges/0/node");
        assertEquals("client:nightly-etl", rejection.get("madeBy").asText());

        // A historical load: its loads rows and its refused records name the client.
        JsonNode loads = server.data(token, "mutation { loadHistorical(source: \"pipeline\") { id table madeBy } }", null)
                .get("loadHistorical");
        assertEquals(3, loads.size());
        loads.forEach(load -> assertEquals("client:nightly-etl", load.get("madeBy").asText()));
        String employeesLoad = loads.get(2).get("id").asText();
        assertEquals("client:nightly-etl", server.data(token, "query($id: ID) { rejections(loadId: $id) { edges { node { madeBy } } } }",
                Map.of("id", employeesLoad)).at("/rejections/edges/0/node/madeBy").asText());
        assertTrue(server.data(token, "{ loads(limit: 50) { id madeBy } }", null).get("loads").findValuesAsText("madeBy")
                .contains("client:nightly-etl"));

        // A person's batch names the person.
        JsonNode byWriter = server.data(server.token("writer"), "mutation { ingest(input: { jobs: [{ id: 9001, job: \"\" }] })"
                + " { batchId } }", null).get("ingest");
        assertEquals("user:writer", server.data(token, "query($id: ID) { rejections(loadId: $id) { edges { node { madeBy } } } }",
                Map.of("id", byWriter.get("batchId").asText())).at("/rejections/edges/0/node/madeBy").asText());
    }

    @Test
    void clientCredentialsGoInTheHeaderOrTheFormAndWrongOnesAreInvalidClient() throws Exception {
        String secret = server.clients.add("report-bot", Role.READER).orElseThrow();
        // In the form instead of the header (RFC 6749, 2.3.1 allows both; the header must work).
        String token = accessToken(clientToken(null, null, "grant_type=client_credentials&client_id=report-bot"
                + "&client_secret=" + secret));
        // A reader client reads, but cannot write.
        assertEquals("READER", server.data(token, "{ me { role } }", null).at("/me/role").asText());
        HttpResponse<String> write = server.post(token, "mutation { ingest(input: { departments: [{ id: 9100,"
                + " department: \"X\" }] }) { inserted } }", null);
        assertEquals("FORBIDDEN", TestServer.JSON.readTree(write.body()).at("/errors/0/extensions/code").asText());

        assertInvalidClient(clientToken("report-bot", secret + "x", "grant_type=client_credentials"));
        assertInvalidClient(clientToken("nobody", secret, "grant_type=client_credentials"));
        assertInvalidClient(clientToken(null, null, "grant_type=client_credentials"));
        assertInvalidClient(clientToken(null, null, "grant_type=client_credentials&client_id=report-bot"));
        HttpResponse<String> both = clientToken("report-bot", secret, "grant_type=client_credentials&client_id=report-bot"
                + "&client_secret=" + secret);
        assertEquals(400, both.statusCode());
        assertEquals("invalid_request", TestServer.JSON.readTree(both.body()).get("error").asText());
        // A person's token request is not a client's: a user name and password do not make a client token.
        assertInvalidClient(clientToken("reader", TestServer.PASSWORD, "grant_type=client_credentials"));
    }

    @Test
    void rotatingOrRemovingAClientEndsItsTokensOnEveryServer() throws Exception {
        String secret = server.clients.add("rotating", Role.WRITER).orElseThrow();
        String token = accessToken(clientToken("rotating", secret, "grant_type=client_credentials"));
        assertEquals(200, status(server, token));
        assertEquals(200, status(second, token));

        String fresh = server.clients.rotate("rotating").orElseThrow();
        assertEquals(401, status(server, token));
        assertEquals(401, eventually(() -> status(second, token), 401));
        assertInvalidClient(clientToken("rotating", secret, "grant_type=client_credentials"));
        String newToken = accessToken(clientToken("rotating", fresh, "grant_type=client_credentials"));
        assertEquals(200, status(second, newToken));

        assertTrue(server.clients.remove("rotating"));
        assertEquals(401, status(server, newToken));
        assertEquals(401, eventually(() -> status(second, newToken), 401));
        // A client added again under the name is another client: the old token stays refused.
        server.clients.add("rotating", Role.ADMIN).orElseThrow();
        assertEquals(401, status(server, newToken));
        assertTrue(server.clients.list().stream().anyMatch(c -> c.name().equals("rotating") && c.role() == Role.ADMIN));
    }

    @Test
    void aClientNameIsOneAnIdAndAHeaderCanCarry() {
        for (String bad : new String[] {"", "has space", "colon:name", "-leading", "x".repeat(65)}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> server.clients.add(bad, Role.READER), bad);
        }
        assertTrue(server.clients.add("dup", Role.READER).isPresent());
        assertTrue(server.clients.add("dup", Role.ADMIN).isEmpty(), "a taken name");
    }
}
