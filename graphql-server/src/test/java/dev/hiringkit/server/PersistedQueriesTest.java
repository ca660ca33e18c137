package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.testing.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apollo's automatic persisted queries over real HTTP, and the allow-list mode where only registered documents run. */
class PersistedQueriesTest {

    private static final String ME = "query Me { me { username role } }";

    @TempDir
    Path dir;

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A POST as Apollo's link sends it: the hash in extensions, and the document or not. */
    private static HttpResponse<String> send(TestServer server, String token, String query, String hash, String accept)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        if (query != null) {
            body.put("query", query);
        }
        if (hash != null) {
            body.put("extensions", Map.of("persistedQuery", Map.of("version", 1, "sha256Hash", hash)));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(body)));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return TestServer.JSON.readTree(response.body());
    }

    @Test
    void aHashIsAskedForItsDocumentOnceThenRunsAlone() throws Exception {
        try (TestServer server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true)) {
            String reader = server.token("reader");
            String hash = sha256(ME);

            HttpResponse<String> unknown = send(server, reader, null, hash, null);
            assertEquals(200, unknown.statusCode(), unknown.body());
            assertEquals("PersistedQueryNotFound", json(unknown).at("/errors/0/message").asText());
            assertEquals("PERSISTED_QUERY_NOT_FOUND", json(unknown).at("/errors/0/extensions/code").asText());
            // A request error: a 400 in the spec's newer media type.
            assertEquals(400, send(server, reader, null, hash, "application/graphql-response+json").statusCode());

            HttpResponse<String> registered = send(server, reader, ME, hash, null);
            assertEquals("reader", json(registered).at("/data/me/username").asText(), registered.body());
            HttpResponse<String> byHash = send(server, reader, null, hash, null);
            assertEquals("reader", json(byHash).at("/data/me/username").asText(), byHash.body());
            // Also by GET, as CDN-cached clients send it.
            String extensions = "{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"" + hash + "\"}}";
            HttpResponse<String> get = server.http.send(HttpRequest.newBuilder(URI.create(server.base + "/graphql?extensions="
                    + URLEncoder.encode(extensions, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + reader)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("reader", json(get).at("/data/me/username").asText(), get.body());

            HttpResponse<String> mismatch = send(server, reader, "{ me { role } }", hash, null);
            assertEquals(400, mismatch.statusCode());
            assertEquals("PERSISTED_QUERY_HASH_MISMATCH", json(mismatch).at("/errors/0/extensions/code").asText());
            HttpResponse<String> malformed = send(server, reader, null, "not-a-hash", null);
            assertEquals(400, malformed.statusCode());
            GraphQLHttpAuditTest.assertNoJavaNames(unknown.body() + mismatch.body() + malformed.body());
            server.dataSource.close();
        }
    }

    /** One cache of documents: a document the server has run is found by its hash, and a broken one never is. */
    @Test
    void aDocumentRunInFullIsFoundByItsHash() throws Exception {
        try (TestServer server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true)) {
            String reader = server.token("reader");
            String role = "query Role { me { role } }";
            assertEquals("READER", json(send(server, reader, role, null, null)).at("/data/me/role").asText());
            HttpResponse<String> byHash = send(server, reader, null, sha256(role), null);
            assertEquals("READER", json(byHash).at("/data/me/role").asText(), byHash.body());

            String broken = "query Broken { me { salary } }";
            assertEquals("GRAPHQL_VALIDATION_FAILED", json(send(server, reader, broken, sha256(broken), null))
                    .at("/errors/0/extensions/code").asText());
            assertEquals("PERSISTED_QUERY_NOT_FOUND", json(send(server, reader, null, sha256(broken), null))
                    .at("/errors/0/extensions/code").asText());
            server.dataSource.close();
        }
    }

    @Test
    void inAllowListModeOnlyRegisteredDocumentsRun() throws Exception {
        String reports = "{ departmentsAboveMean { mean } }";
        try (TestServer server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir,
                settings -> settings.registeredDocuments(List.of(ME, reports)).onlyRegisteredDocuments(true))) {
            String reader = server.token("reader");
            assertEquals("reader", json(send(server, reader, null, sha256(ME), null)).at("/data/me/username").asText());
            assertEquals("reader", json(send(server, reader, ME, null, null)).at("/data/me/username").asText());
            assertTrue(json(send(server, reader, reports, sha256(reports), null)).at("/data/departmentsAboveMean")
                    .isObject());

            for (HttpResponse<String> refused : List.of(send(server, reader, "{ me { username } }", null, null),
                    send(server, reader, "{ me { username } }", sha256("{ me { username } }"), null))) {
                assertEquals("PERSISTED_QUERY_NOT_ALLOWED", json(refused).at("/errors/0/extensions/code").asText(),
                        refused.body());
                assertTrue(json(refused).path("data").isMissingNode());
            }
            // A client cannot register one by sending it with its hash.
            HttpResponse<String> stillUnknown = send(server, reader, null, sha256("{ me { username } }"), null);
            assertEquals("PERSISTED_QUERY_NOT_FOUND", json(stillUnknown).at("/errors/0/extensions/code").asText());
            server.dataSource.close();
        }
    }
}
