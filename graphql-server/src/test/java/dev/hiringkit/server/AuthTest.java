package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Sign-in and every way a request is refused for its token or its role. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthTest {

    @TempDir
    static Path dir;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        server.dataSource.close();
    }

    private void assertUnauthorized(String token, String code) throws Exception {
        HttpResponse<String> response = server.post(token, "{ me { username } }", null);
        assertEquals(401, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertEquals(code, TestServer.JSON.readTree(response.body()).at("/errors/0/extensions/code").asText());
    }

    @Test
    void theTokenEndpointFollowsThePasswordGrant() throws Exception {
        HttpResponse<String> ok = server.form("/token", "grant_type=password&username=reader&password=correct+horse+battery", null);
        assertEquals(200, ok.statusCode());
        JsonNode body = TestServer.JSON.readTree(ok.body());
        assertEquals("Bearer", body.get("token_type").asText());
        assertEquals(1800, body.get("expires_in").asInt());
        assertEquals("reader", server.data(body.get("access_token").asText(), "{ me { username role } }", null)
                .at("/me/username").asText());

        HttpResponse<String> wrong = server.form("/token", "grant_type=password&username=reader&password=nope", null);
        assertEquals(400, wrong.statusCode());
        assertEquals("invalid_grant", TestServer.JSON.readTree(wrong.body()).get("error").asText());
        HttpResponse<String> grant = server.form("/token", "grant_type=authorization_code&code=x", null);
        assertEquals("unsupported_grant_type", TestServer.JSON.readTree(grant.body()).get("error").asText());
    }

    @Test
    void theLoginMutationNeedsNoToken() throws Exception {
        JsonNode login = server.data(null, "mutation { login(username: \"writer\", password: \"correct horse battery\")"
                + " { accessToken tokenType expiresIn user { username role } } }", null).get("login");
        assertEquals("WRITER", login.at("/user/role").asText());
        assertEquals("writer", server.data(login.get("accessToken").asText(), "{ me { username } }", null)
                .at("/me/username").asText());
        JsonNode refused = TestServer.JSON.readTree(server.post(null,
                "mutation { login(username: \"writer\", password: \"wrong password\") { accessToken } }", null).body());
        assertEquals("INVALID_CREDENTIALS", refused.at("/errors/0/extensions/code").asText());
        // A form over the endpoint's 8 KiB is refused before it is parsed.
        HttpResponse<String> tooLarge = server.form("/token", "grant_type=password&username=writer&password="
                + "x".repeat(9000), null);
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
    }

    @Test
    void refusedTokens() throws Exception {
        assertUnauthorized(null, "UNAUTHENTICATED");
        String token = server.token("admin");
        // Tampered: one character of the payload changed.
        String[] parts = token.split("\\.");
        char c = parts[1].charAt(5);
        String tampered = parts[0] + "." + parts[1].substring(0, 5) + (c == 'A' ? 'B' : 'A') + parts[1].substring(6) + "."
                + parts[2];
        assertUnauthorized(tampered, "INVALID_TOKEN");
        // alg: none, no signature.
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        assertUnauthorized(none, "INVALID_TOKEN");
        // The same claims signed with another key; and, as a check of the forging, with the server's key.
        assertUnauthorized(TestJwt.hs256("another secret, also long enough for HS256 keys".getBytes(StandardCharsets.UTF_8),
                TestJwt.claims(token)), "INVALID_TOKEN");
        assertEquals("admin", server.data(TestJwt.hs256(TestServer.SECRET, TestJwt.claims(token)), "{ me { username } }",
                null).at("/me/username").asText());
        assertUnauthorized("not.a.token", "INVALID_TOKEN");
    }

    @Test
    void expiredAndNotYetValidTokens() throws Exception {
        // Each token is used while valid first: the server remembers checked tokens, but not past their time.
        String token = server.token("reader");
        assertEquals("reader", server.data(token, "{ me { username } }", null).at("/me/username").asText());
        server.clock.advance(Duration.ofMinutes(31));
        try {
            assertUnauthorized(token, "INVALID_TOKEN");
        } finally {
            server.clock.advance(Duration.ofMinutes(-31));
        }
        // Issued one minute in the future: not valid yet.
        server.clock.advance(Duration.ofMinutes(1));
        String early = server.token("reader");
        assertEquals("reader", server.data(early, "{ me { username } }", null).at("/me/username").asText());
        server.clock.advance(Duration.ofMinutes(-1));
        assertUnauthorized(early, "INVALID_TOKEN");
    }

    @Test
    void aDeletedUsersTokenStopsWorking() throws Exception {
        server.users.add("leaving", TestServer.PASSWORD.toCharArray(), Role.ADMIN);
        String token = server.token("leaving");
        assertEquals("leaving", server.data(token, "{ me { username } }", null).at("/me/username").asText());
        server.users.remove("leaving");
        assertUnauthorized(token, "INVALID_TOKEN");
    }

    @Test
    void aUserChangedOutsideTheServerIsSeenAtOnce() throws Exception {
        server.users.add("elsewhere", TestServer.PASSWORD.toCharArray(), Role.WRITER);
        String token = server.token("elsewhere");
        // Used once, the user is remembered by the server; the changes below come through plain SQL,
        // as from another server or the command line, and reach it as notices from the database.
        assertEquals("WRITER", server.data(token, "{ me { role } }", null).at("/me/role").asText());
        try (Connection other = server.dataSource.getConnection(); Statement sql = other.createStatement()) {
            // A new role is a new version of the user: tokens issued before it stop working.
            sql.executeUpdate("UPDATE users SET role = 'READER' WHERE username = 'elsewhere'");
            assertEquals(401, eventually(() -> server.post(token, "{ me { username } }", null).statusCode(), 401));
            String again = server.token("elsewhere");
            assertEquals("READER", server.data(again, "{ me { role } }", null).at("/me/role").asText());
            sql.executeUpdate("DELETE FROM users WHERE username = 'elsewhere'");
            assertEquals(401, eventually(() -> server.post(again, "{ me { username } }", null).statusCode(), 401));
        }
    }

    /** The value once it is the expected one; the notice of a change takes milliseconds to arrive. */
    private static <T> T eventually(Callable<T> read, T expected) throws Exception {
        T value = read.call();
        for (int i = 0; i < 100 && !expected.equals(value); i++) {
            Thread.sleep(20);
            value = read.call();
        }
        return value;
    }

    @Test
    void tooLowARoleIsForbidden() throws Exception {
        String reader = server.token("reader");
        HttpResponse<String> response = server.post(reader, "mutation { ingest(input: {departments: [{id: 7000,"
                + " department: \"X\"}]}) { inserted } }", null);
        assertEquals(200, response.statusCode());
        assertEquals("FORBIDDEN", TestServer.JSON.readTree(response.body()).at("/errors/0/extensions/code").asText());
        assertTrue(server.kit.repository().department(7000).isEmpty());
    }

    @Test
    void repeatedFailedSignInsAreSlowedDown() throws Exception {
        server.users.add("target", TestServer.PASSWORD.toCharArray(), Role.READER);
        for (int i = 0; i < 5; i++) {
            assertEquals(400, server.form("/token", "grant_type=password&username=target&password=guess" + i, null)
                    .statusCode());
        }
        HttpResponse<String> throttled = server.form("/token",
                "grant_type=password&username=target&password=correct+horse+battery", null);
        assertEquals(429, throttled.statusCode(), "even the right password waits once the user is throttled");
        assertTrue(throttled.headers().firstValue("Retry-After").isPresent());
        // Other users are not affected; after the delay the right password works again.
        assertEquals(200, server.form("/token", "grant_type=password&username=reader&password=correct+horse+battery",
                null).statusCode());
        server.clock.advance(Duration.ofSeconds(2));
        assertEquals(200, server.form("/token", "grant_type=password&username=target&password=correct+horse+battery",
                null).statusCode());
    }

    @Test
    void aWeakSecretStopsTheStart(@TempDir Path keys) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Tokens.secret("too short", keys.resolve("jwt.key")));
        assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
    }

    @Test
    void aGeneratedSecretIsKeptAndReadableByItsOwnerOnly(@TempDir Path keys) throws Exception {
        byte[] first = Tokens.secret(null, keys.resolve("jwt.key"));
        assertEquals(48, first.length);
        assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(Tokens.secret("", keys.resolve("jwt.key"))));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(keys.resolve("jwt.key"))));
    }
}
