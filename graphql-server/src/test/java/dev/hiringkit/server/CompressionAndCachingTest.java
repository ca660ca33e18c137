package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client asking for gzip gets: compressed scripts, pages and GraphQL answers; webjar files
 * kept for a year, our own pages revalidated by ETag.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressionAndCachingTest {

    private static final String GRAPHIQL_JS = "/webjars/graphiql/2.4.7/graphiql.min.js";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    @TempDir
    static Path dir;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
            server.dataSource.close();
        }
    }

    @Test
    void graphiqlsScriptIsGzippedAndKeptForAYear() throws Exception {
        HttpResponse<byte[]> gzipped = get(GRAPHIQL_JS, "Accept-Encoding", "gzip");
        assertEquals(200, gzipped.statusCode());
        assertEquals("gzip", header(gzipped, "Content-Encoding"));
        assertEquals(IMMUTABLE, header(gzipped, "Cache-Control"));
        assertTrue(header(gzipped, "Vary").contains("Accept-Encoding"), header(gzipped, "Vary"));
        byte[] original = resource("META-INF/resources/webjars/graphiql/2.4.7/graphiql.min.js");
        assertArrayEquals(original, gunzip(gzipped.body()));
        assertTrue(gzipped.body().length < original.length / 3, gzipped.body().length + " of " + original.length);

        // What curl --compressed -sI shows: HEAD gets the headers of the compressed GET.
        HttpResponse<byte[]> head = send(HttpRequest.newBuilder(server.base.resolve(GRAPHIQL_JS))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Accept-Encoding", "deflate, gzip, br, zstd"));
        assertEquals(200, head.statusCode());
        assertEquals("gzip", header(head, "Content-Encoding"));
        assertEquals(IMMUTABLE, header(head, "Cache-Control"));

        // A client that does not ask for gzip gets the file as it is.
        HttpResponse<byte[]> plain = get(GRAPHIQL_JS);
        assertEquals(null, header(plain, "Content-Encoding"));
        assertArrayEquals(original, plain.body());
        assertEquals(IMMUTABLE, header(plain, "Cache-Control"));
    }

    @Test
    void everyVersionedWebjarFileIsKeptForAYear() throws Exception {
        for (String path : List.of(GRAPHIQL_JS, "/webjars/graphiql/2.4.7/graphiql.min.css",
                "/webjars/react/18.3.1/umd/react.production.min.js",
                "/webjars/react-dom/18.3.1/umd/react-dom.production.min.js",
                "/webjars/chart.js/4.5.1/dist/chart.umd.min.js")) {
            HttpResponse<byte[]> first = get(path);
            assertEquals(200, first.statusCode(), path);
            assertEquals(IMMUTABLE, header(first, "Cache-Control"), path);
            assertNotNull(header(first, "Last-Modified"), path);
            String etag = header(first, "ETag");
            assertNotNull(etag, path);
            // A browser that asks anyway (a forced reload) is answered from its copy.
            HttpResponse<byte[]> again = get(path, "If-None-Match", etag);
            assertEquals(304, again.statusCode(), path);
            assertEquals(IMMUTABLE, header(again, "Cache-Control"), path);
        }
        // Our own files keep their names across releases: never kept without asking.
        assertEquals("no-cache", header(get("/favicon.ico"), "Cache-Control"));
        assertEquals("image/svg+xml", header(get("/favicon.ico"), "Content-Type"));
    }

    @Test
    void everyPageAndScriptIsSmallerGzipped() throws Exception {
        StringBuilder sizes = new StringBuilder("bytes sent, as is -> gzip:");
        for (String path : List.of("/graphiql", GRAPHIQL_JS, "/webjars/graphiql/2.4.7/graphiql.min.css",
                "/webjars/react/18.3.1/umd/react.production.min.js",
                "/webjars/react-dom/18.3.1/umd/react-dom.production.min.js", "/dashboard",
                "/dashboard/dashboard.css", "/dashboard/dashboard.js", "/dashboard/report.js",
                "/webjars/chart.js/4.5.1/dist/chart.umd.min.js")) {
            HttpResponse<byte[]> plain = get(path);
            HttpResponse<byte[]> gzipped = get(path, "Accept-Encoding", "gzip");
            assertEquals(200, gzipped.statusCode(), path);
            assertEquals("gzip", header(gzipped, "Content-Encoding"), path);
            assertArrayEquals(plain.body(), gunzip(gzipped.body()), path);
            assertTrue(gzipped.body().length < plain.body().length, path);
            sizes.append(String.format("%n  %-58s %9d -> %8d", path, plain.body().length, gzipped.body().length));
        }
        System.out.println(sizes);
    }

    @Test
    void ourOwnPagesAreRevalidatedByETag() throws Exception {
        for (String path : List.of("/graphiql", "/dashboard", "/dashboard/", "/dashboard/report.js")) {
            HttpResponse<byte[]> first = get(path);
            assertEquals(200, first.statusCode(), path);
            assertEquals("no-cache", header(first, "Cache-Control"), path);
            String etag = header(first, "ETag");
            assertNotNull(etag, path);

            HttpResponse<byte[]> again = get(path, "If-None-Match", etag);
            assertEquals(304, again.statusCode(), path);
            assertEquals(0, again.body().length, path);
            assertEquals(etag, header(again, "ETag"), path);

            // Compressed, the tag names the encoding; asking with it is a 304 too.
            HttpResponse<byte[]> gzipped = get(path, "Accept-Encoding", "gzip");
            String gzipTag = header(gzipped, "ETag");
            assertFalse(etag.equals(gzipTag), path + ": the same tag for two encodings");
            assertEquals(304, get(path, "Accept-Encoding", "gzip", "If-None-Match", gzipTag).statusCode(), path);

            assertEquals(200, get(path, "If-None-Match", "\"something else\"").statusCode(), path);
        }
    }

    @Test
    void graphqlAnswersAreGzippedAboveOneKibibyte() throws Exception {
        String token = server.token("reader");
        HttpResponse<byte[]> large = graphql(token, "{ __schema { types { name description } } }");
        assertEquals(200, large.statusCode());
        assertEquals("gzip", header(large, "Content-Encoding"));
        String json = new String(gunzip(large.body()), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"__schema\"") && json.length() > 1024, json);

        HttpResponse<byte[]> small = graphql(token, "{ __typename }");
        assertEquals(200, small.statusCode());
        assertEquals(null, header(small, "Content-Encoding"));
        assertEquals("{\"data\":{\"__typename\":\"Query\"}}", new String(small.body(), StandardCharsets.UTF_8));
    }

    @Test
    void tokensAndSmallAnswersAreSentAsTheyAre() throws Exception {
        HttpResponse<byte[]> token = send(HttpRequest.newBuilder(server.base.resolve("/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=reader&password="
                        + TestServer.PASSWORD.replace(" ", "+"))));
        assertEquals(200, token.statusCode());
        assertEquals(null, header(token, "Content-Encoding"));
        assertTrue(new String(token.body(), StandardCharsets.UTF_8).contains("access_token"));

        HttpResponse<byte[]> health = get("/health", "Accept-Encoding", "gzip");
        assertEquals(null, header(health, "Content-Encoding"));

        HttpResponse<byte[]> missing = get("/webjars/graphiql/2.4.7/nothing-here.js", "Accept-Encoding", "gzip");
        assertEquals(404, missing.statusCode());
        assertEquals("no-store", header(missing, "Cache-Control"));
    }

    @Test
    void aGzipRequestBodyIsNotUnpacked() throws Exception {
        // The server compresses answers only: a compressed body is bytes that are not JSON.
        byte[] body = gzip("{\"query\":\"{ __typename }\"}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .header("Authorization", "Bearer " + server.token("reader"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(400, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
    }

    private HttpResponse<byte[]> graphql(String token, String query) throws Exception {
        return send(HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("Content-Type", "application/json").header("Accept-Encoding", "gzip")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(Map.of("query", query)))));
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.base.resolve(path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return server.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private static byte[] gunzip(byte[] bytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] resource(String name) {
        try (InputStream in = CompressionAndCachingTest.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
