package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code hiring client} and the sign-in options of {@code hiring serve}, as a user runs them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInCommandsTest {

    private HikariDataSource dataSource;
    private String url;
    @TempDir
    Path archive;

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
        url = CliRunner.urlWithCredentials(dataSource);
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    private CliRunner.Run hiring(String... args) {
        return new CliRunner(url, archive.toString()).run(args);
    }

    private Auth.Login signIn(String client, String secret) {
        Auth auth = new Auth(new Users(dataSource), new Clients(dataSource), new Tokens(
                "a secret for the command line test, long enough".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5),
                Clock.systemUTC()), new LoginThrottle(Clock.systemUTC()));
        return auth.clientCredentials(client, secret);
    }

    @Test
    void aClientIsAddedListedRotatedAndRemoved() {
        CliRunner.Run added = hiring("client", "add", "nightly-etl", "--role", "writer");
        assertEquals(0, added.exitCode(), added.err());
        // The secret alone on standard output, so that SECRET=$(hiring client add ...) keeps it.
        String secret = added.out().strip();
        assertTrue(secret.matches("[A-Za-z0-9_-]{43}"), added.out());
        assertTrue(added.err().contains("shown this once"), added.err());
        assertInstanceOf(Auth.Granted.class, signIn("nightly-etl", secret));

        CliRunner.Run again = hiring("client", "add", "nightly-etl");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("already exists"), again.err());

        CliRunner.Run list = hiring("client", "list");
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.matches("nightly-etl\\s+writer\\s.*")), list.out());
        assertTrue(!list.out().contains(secret), "the secret is never shown again");

        CliRunner.Run rotated = hiring("client", "rotate", "nightly-etl");
        assertEquals(0, rotated.exitCode(), rotated.err());
        String fresh = rotated.out().strip();
        assertInstanceOf(Auth.Refused.class, signIn("nightly-etl", secret));
        assertInstanceOf(Auth.Granted.class, signIn("nightly-etl", fresh));

        CliRunner.Run removed = hiring("client", "remove", "nightly-etl");
        assertEquals(0, removed.exitCode(), removed.err());
        assertInstanceOf(Auth.Refused.class, signIn("nightly-etl", fresh));
        assertEquals(1, hiring("client", "remove", "nightly-etl").exitCode());
        assertTrue(hiring("client", "list").out().contains("No clients yet"));
        assertEquals(2, hiring("client", "add").exitCode(), "add needs a NAME");
    }

    @Test
    void providerOptionsWithoutAnIssuerOrAnAudienceStopTheStart() {
        CliRunner.Run noIssuer = hiring("serve", "--port", "0", "--audience", "hiring-api");
        assertEquals(2, noIssuer.exitCode(), noIssuer.err());
        assertTrue(noIssuer.err().contains("need --oidc-issuer"), noIssuer.err());
        CliRunner.Run noAudience = hiring("serve", "--port", "0", "--oidc-issuer", "https://id.example.com/realms/x");
        assertEquals(2, noAudience.exitCode(), noAudience.err());
        assertTrue(noAudience.err().contains("--audience"), noAudience.err());
        CliRunner.Run badRole = hiring("serve", "--port", "0", "--oidc-issuer", "https://id.example.com/realms/x",
                "--audience", "hiring-api", "--role-map", "hiring-admins=boss");
        assertEquals(2, badRole.exitCode(), badRole.err());
        assertTrue(badRole.err().contains("unknown role 'boss'"), badRole.err());
    }
}
