package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.Table;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup, backups and restore over HTTP: for admins only, and a round trip that gives every row back. */
class BackupOverHttpTest {

    @TempDir
    Path dir;

    @Test
    void anAdminBacksUpAndRestoresOthersAreRefused() throws Exception {
        try (TestServer server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true)) {
            server.kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
            long employees = server.kit.repository().count(Table.HIRED_EMPLOYEES);
            String admin = server.token("admin");
            String writer = server.token("writer");

            HttpResponse<String> refused = server.post(writer, "mutation { backup { id } }", null);
            assertEquals("FORBIDDEN", TestServer.JSON.readTree(refused.body()).at("/errors/0/extensions/code").asText());

            JsonNode backup = server.data(admin, "mutation { backup(tables: [JOBS, HIRED_EMPLOYEES]) { id codec"
                    + " tables { table rows bytes sha256 } } }", null).get("backup");
            String id = backup.get("id").asText();
            assertEquals("zstandard", backup.get("codec").asText());
            assertEquals("JOBS", backup.at("/tables/0/table").asText());
            assertEquals(employees, backup.at("/tables/1/rows").asLong());

            JsonNode backups = server.data(server.token("reader"), "{ backups { id tables { table } } }", null);
            assertEquals(id, backups.at("/backups/0/id").asText());

            try (Connection c = server.dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM hired_employees WHERE id > 1000");
            }
            JsonNode restored = server.data(admin, "mutation($id: String) { restore(tables: [HIRED_EMPLOYEES],"
                    + " backupId: $id, mode: APPEND) { backupId mode tables { table inserted skipped skippedIds } } }",
                    Map.of("id", id)).get("restore");
            assertEquals(id, restored.get("backupId").asText());
            assertEquals("APPEND", restored.get("mode").asText());
            long kept = restored.at("/tables/0/skipped").asLong();
            assertEquals(employees, kept + restored.at("/tables/0/inserted").asLong());
            assertEquals(employees, server.kit.repository().count(Table.HIRED_EMPLOYEES));
            assertEquals(1, restored.at("/tables/0/skippedIds/0").asInt());

            HttpResponse<String> missing = server.post(admin, "mutation { restore(backupId: \"20200101T000000000Z\") {"
                    + " backupId } }", null);
            assertEquals("BACKUP_NOT_FOUND", TestServer.JSON.readTree(missing.body()).at("/errors/0/extensions/code").asText());
            server.dataSource.close();
        }
    }
}
