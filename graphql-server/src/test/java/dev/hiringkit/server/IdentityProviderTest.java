package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.IdentityProvider;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.testing.TestDatabase;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.Keys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens of an external identity provider, served by an in-process stand-in for Keycloak: OpenID
 * discovery and a JWKS of generated RSA and EC keys that the test rotates. The server accepts the
 * provider's tokens with the role their groups map to, and refuses those of another issuer, for another
 * audience, signed with another key or with the provider's public key as an HMAC secret.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdentityProviderTest {

    private static final String AUDIENCE = "hiring-api";
    private static final String REALM = "/realms/hiring";

    @TempDir
    static Path dir;
    private final KeyPair rsa1 = Jwts.SIG.RS256.keyPair().build();
    private final KeyPair rsa2 = Jwts.SIG.RS256.keyPair().build();
    private final KeyPair ec1 = Jwts.SIG.ES256.keyPair().build();
    private final KeyPair stranger = Jwts.SIG.RS256.keyPair().build();
    private final AtomicReference<String> jwks = new AtomicReference<>();
    private final AtomicInteger jwksReads = new AtomicInteger();
    private final TestServer.MovableClock clock = new TestServer.MovableClock();
    private HttpServer idp;
    private String issuer;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        idp = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        String base = "http://localhost:" + idp.getAddress().getPort();
        issuer = base + REALM;
        idp.createContext(REALM + "/.well-known/openid-configuration", exchange -> send(exchange,
                "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\"}"));
        idp.createContext(REALM + "/protocol/openid-connect/certs", exchange -> {
            jwksReads.incrementAndGet();
            send(exchange, jwks.get());
        });
        // A provider whose discovery names another issuer than the one it is reached as.
        idp.createContext("/realms/liar/.well-known/openid-configuration", exchange -> send(exchange,
                "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\"}"));
        idp.start();
        publish(Map.of("rsa-1", rsa1, "ec-1", ec1));

        IdentityProvider provider = IdentityProvider.builder().issuer(issuer).audience(AUDIENCE)
                .rolesClaim("realm_access.roles")
                .mapRole("hiring-readers", Role.READER).mapRole("hiring-writers", Role.WRITER)
                .mapRole("hiring-admins", Role.ADMIN)
                .clock(clock).build();
        HikariDataSource dataSource = TestDatabase.newDatabase();
        UnaryOperator<ServerConfig.Builder> withProvider = settings -> settings.auth(new Auth(new Users(dataSource),
                new Clients(dataSource), new Tokens(TestServer.SECRET, Duration.ofMinutes(30), clock, provider),
                new LoginThrottle(clock)));
        server = new TestServer(dataSource, dir.resolve("archive"), dir, withProvider);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        server.dataSource.close();
        idp.stop(0);
    }

    private static void send(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** Makes the JWKS hold exactly these public keys; rsa-1 says it is for RS256 only. */
    private void publish(Map<String, KeyPair> keys) {
        List<String> json = new ArrayList<>();
        keys.forEach((kid, pair) -> json.add(pair.getPublic() instanceof RSAPublicKey rsa
                ? Jwks.json(Jwks.builder().key(rsa).id(kid).publicKeyUse("sig").algorithm("RS256").build())
                : Jwks.json(Jwks.builder().key((ECPublicKey) pair.getPublic()).id(kid).publicKeyUse("sig").build())));
        jwks.set("{\"keys\":[" + String.join(",", json) + "]}");
    }

    /** A token as the provider issues it to {@code name}, with these realm roles, valid five minutes. */
    private JwtBuilder claims(String name, String... roles) {
        return claimsFor(AUDIENCE, name, roles);
    }

    /** The same for another audience; null: none. */
    private JwtBuilder claimsFor(String audience, String name, String... roles) {
        Instant now = clock.instant();
        JwtBuilder builder = Jwts.builder().issuer(issuer);
        if (audience != null) {
            builder.audience().add(audience).and();
        }
        return builder
                .subject(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString())
                .claim("preferred_username", name)
                .claim("realm_access", Map.of("roles", List.of(roles)))
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    private static String hs256(JwtBuilder claims, String kid, SecretKey key) {
        return claims.header().keyId(kid).and().signWith(key, Jwts.SIG.HS256).compact();
    }

    private static String rs256(JwtBuilder claims, String kid, KeyPair pair) {
        return claims.header().keyId(kid).and().signWith(pair.getPrivate(), Jwts.SIG.RS256).compact();
    }

    private static String es256(JwtBuilder claims, String kid, KeyPair pair) {
        return claims.header().keyId(kid).and().signWith(pair.getPrivate(), Jwts.SIG.ES256).compact();
    }

    private int status(String token) throws Exception {
        return server.post(token, "{ me { username } }", null).statusCode();
    }

    @Test
    @Order(1)
    void aProviderTokenWorksWithTheRoleItsGroupsMapTo() throws Exception {
        String jane = rs256(claims("jane", "offline_access", "hiring-writers"), "rsa-1", rsa1);
        JsonNode me = server.data(jane, "{ me { username role } }", null).get("me");
        assertEquals("jane", me.get("username").asText());
        assertEquals("WRITER", me.get("role").asText());
        // Her batch is recorded as hers, with no user row of ours.
        JsonNode ingest = server.data(jane, "mutation { ingest(input: { departments: [{ id: 9200, department: \"\" }] })"
                + " { batchId } }", null).get("ingest");
        assertEquals("oidc:jane", server.data(jane, "query($id: ID) { rejections(loadId: $id) { edges { node { madeBy } } } }",
                Map.of("id", ingest.get("batchId").asText())).at("/rejections/edges/0/node/madeBy").asText());

        // ES256, and a reader's group: reads, cannot write.
        String sam = es256(claims("sam", "hiring-readers"), "ec-1", ec1);
        assertEquals("READER", server.data(sam, "{ me { role } }", null).at("/me/role").asText());
        JsonNode write = TestServer.JSON.readTree(server.post(sam, "mutation { ingest(input: { departments: [{ id: 9201,"
                + " department: \"X\" }] }) { inserted } }", null).body());
        assertEquals("FORBIDDEN", write.at("/errors/0/extensions/code").asText());

        // Several groups: the highest role. No group we map: no role, refused.
        assertEquals("ADMIN", server.data(rs256(claims("root", "hiring-readers", "hiring-admins"), "rsa-1", rsa1),
                "{ me { role } }", null).at("/me/role").asText());
        assertEquals(401, status(rs256(claims("visitor", "offline_access"), "rsa-1", rsa1)));
        assertEquals(401, status(rs256(claims("nobody"), "rsa-1", rsa1)));

        // The server's own users still sign in with their passwords alongside.
        assertEquals(200, status(server.token("reader")));
        // The keys were read once for all of these tokens.
        assertEquals(1, jwksReads.get());
    }

    @Test
    @Order(2)
    void aTokenOfAnotherIssuerAudienceOrKeyIsRefused() throws Exception {
        assertEquals(200, status(rs256(claims("control", "hiring-writers"), "rsa-1", rsa1)), "the control works");

        assertEquals(401, status(rs256(claims("eve", "hiring-admins").issuer("http://localhost/realms/other"), "rsa-1",
                rsa1)), "another issuer");
        assertEquals(401, status(rs256(claimsFor("another-api", "eve", "hiring-admins"), "rsa-1", rsa1)),
                "another audience");
        assertEquals(401, status(rs256(claimsFor(null, "eve", "hiring-admins"), "rsa-1", rsa1)), "no audience");
        assertEquals(401, status(rs256(claims("eve", "hiring-admins"), "rsa-1", stranger)), "another key, the same kid");
        assertEquals(401, status(rs256(claims("eve", "hiring-admins"), "made-up", stranger)), "an unknown kid");
        assertEquals(401, status(rs256(claims("eve", "hiring-admins").expiration(null), "rsa-1", rsa1)), "no exp");
        assertEquals(401, status(rs256(claims("eve", "hiring-admins").expiration(Date.from(clock.instant()
                .minus(Duration.ofMinutes(5)))), "rsa-1", rsa1)), "expired");
        assertEquals(401, status(claims("eve", "hiring-admins").header().keyId("rsa-1").and()
                .signWith(rsa1.getPrivate(), Jwts.SIG.RS384).compact()), "an algorithm the key is not published for");

        // Key confusion: HS256 with the provider's public key as the HMAC secret, as DER and as PEM text.
        PublicKey published = rsa1.getPublic();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(published.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        for (byte[] secret : List.of(published.getEncoded(), pem.getBytes(StandardCharsets.US_ASCII))) {
            assertEquals(401, status(hs256(claims("eve", "hiring-admins"), "rsa-1", Keys.hmacShaKeyFor(secret))),
                    "HS256 signed with the RSA public key");
        }
        // alg none, with the provider's claims.
        String[] parts = rs256(claims("eve", "hiring-admins"), "rsa-1", rsa1).split("\\.");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"kid\":\"rsa-1\"}"
                .getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        assertEquals(401, status(none), "alg none");

        // The provider cannot mint the server's own tokens: its key with our issuer and an account of ours.
        String[] admin = account("admin");
        String forged = rs256(claims("admin", "hiring-admins").issuer("hiringkit").subject("user:" + admin[0])
                .claim("ver", Integer.parseInt(admin[1])), "rsa-1", rsa1);
        assertEquals(401, status(forged), "a provider-signed token naming one of our accounts");
    }

    /** The id and version of a user of ours. */
    private String[] account(String username) throws Exception {
        try (Connection c = server.dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, version FROM users WHERE username = '" + username + "'")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2)};
        }
    }

    @Test
    @Order(3)
    void aDiscoveryDocumentNamingAnotherIssuerIsRefusedAndTheIssuerAndAudienceAreRequired() {
        IdentityProvider liar = IdentityProvider.builder().issuer(issuer.replace(REALM, "/realms/liar"))
                .audience(AUDIENCE).build();
        IOException e = assertThrows(IOException.class, liar::refreshKeys);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("names the issuer"), e.getMessage());
        IdentityProvider unreachable = IdentityProvider.builder().issuer(issuer).audience(AUDIENCE)
                .jwksUri(java.net.URI.create("http://localhost:1/certs")).build();
        IOException down = assertThrows(IOException.class, unreachable::refreshKeys);
        org.junit.jupiter.api.Assertions.assertTrue(down.getMessage().startsWith("http://localhost:1/certs could not be"
                + " read"), down.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IdentityProvider.builder().issuer(issuer).build());
        assertThrows(IllegalArgumentException.class, () -> IdentityProvider.builder().audience(AUDIENCE).build());
    }

    @Test
    @Order(4)
    void rotatedKeysAreReadOnAnUnknownKidAtABoundedRateAndAWithdrawnKeyStopsWorking() throws Exception {
        String before = rs256(claims("jane", "hiring-writers"), "rsa-1", rsa1);
        assertEquals(200, status(before));
        int reads = jwksReads.get();

        // The provider rotates: rsa-2 appears, rsa-1 goes. Its first token with rsa-2 makes the keys be read.
        publish(Map.of("rsa-2", rsa2, "ec-1", ec1));
        clock.advance(Duration.ofSeconds(11));
        String after = rs256(claims("jane", "hiring-writers"), "rsa-2", rsa2);
        assertEquals(200, status(after));
        assertEquals(reads + 1, jwksReads.get());
        // rsa-1 is withdrawn: its tokens stop working, even the one the server had checked and remembered.
        assertEquals(401, status(before));
        assertEquals(401, status(rs256(claims("jane", "hiring-writers"), "rsa-1", rsa1)));
        assertEquals(200, status(es256(claims("sam", "hiring-readers"), "ec-1", ec1)), "the EC key stays");

        // Tokens with made-up kids make the keys be read at most once per 10 s, however many come.
        for (int i = 0; i < 20; i++) {
            assertEquals(401, status(rs256(claims("eve", "hiring-admins"), "made-up-" + i, stranger)));
        }
        assertEquals(reads + 1, jwksReads.get());
        clock.advance(Duration.ofSeconds(11));
        assertEquals(401, status(rs256(claims("eve", "hiring-admins"), "made-up-again", stranger)));
        assertEquals(reads + 2, jwksReads.get());

        // Keys older than 10 minutes are read again even when known, so a withdrawal shows within that time.
        clock.advance(Duration.ofMinutes(10));
        assertEquals(200, status(rs256(claims("jane", "hiring-writers"), "rsa-2", rsa2)));
        assertEquals(reads + 3, jwksReads.get());
    }
}
