package dev.hiringkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.server.HiringServer;
import dev.hiringkit.server.ServerConfig;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client example against a real server on a free port, over the real data. */
class GraphQLClientExampleTest {

    @Test
    void signsInIngestsAndReadsTheReport(@TempDir Path archive) throws Exception {
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
            kit.migrate();
            kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
            Users users = new Users(dataSource);
            users.migrate();
            users.add("ada", "a long enough password".toCharArray(), Role.WRITER);
            Tokens tokens = new Tokens("an example secret that is long enough for HS256".getBytes(StandardCharsets.UTF_8),
                    Duration.ofMinutes(5), Clock.systemUTC());
            Server server = HiringServer.newServer(ServerConfig.builder().kit(kit).dataSource(dataSource)
                    .auth(new Auth(users, new Clients(dataSource), tokens, new LoginThrottle(Clock.systemUTC()))).port(0)
                    .build());
            server.start();
            try {
                GraphQLClientExample client = new GraphQLClientExample(
                        URI.create("http://localhost:" + HiringServer.port(server)));
                assertThrows(IllegalStateException.class, () -> client.signIn("ada", "wrong"));
                client.signIn("ada", "a long enough password");

                JsonNode ingest = client.ingest();
                assertEquals(3, ingest.get("inserted").asInt());
                assertEquals(1, ingest.get("rejected").asInt());
                assertEquals("UNKNOWN_JOB", ingest.at("/tables/2/rejected/0/reasons/0/code").asText());
                assertTrue(kit.repository().hiredEmployee(200_001).isPresent());
                assertEquals(1930, kit.repository().count(Table.HIRED_EMPLOYEES));

                JsonNode report = client.printReport(2021);
                assertEquals(kit.reports().departmentsAboveMean(2021).mean(), report.get("mean").asDouble(), 1e-9);
            } finally {
                server.stop();
            }
        }
    }
}
