package dev.hiringkit.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Users made before accounts had ids and versions get them, and sign in, once the server migrates. */
class AccountsMigrationTest {

    @Test
    void existingUsersGetDistinctIdsAndAFirstVersion() throws Exception {
        try (HikariDataSource dataSource = TestDatabase.newDatabase()) {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/server").table("flyway_server_history")
                    .baselineOnMigrate(true).baselineVersion("0").target("2").load().migrate();
            String hash = BCrypt.withDefaults().hashToString(4, "an old password".toCharArray());
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO users (username, password_hash, role) VALUES ('old1', '" + hash
                        + "', 'WRITER'), ('old2', '" + hash + "', 'READER')");
            }
            Users users = new Users(dataSource);
            users.migrate();
            Account first = users.authenticate("old1", "an old password".toCharArray()).orElseThrow();
            Account second = users.authenticate("old2", "an old password".toCharArray()).orElseThrow();
            assertNotEquals(first.id(), second.id());
            assertEquals(1, first.version());
            assertEquals(Role.WRITER, first.role());
            assertTrue(users.setRole("old1", Role.ADMIN));
            assertEquals(2, users.find(first.id()).orElseThrow().version());
        }
    }
}
