package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.LoadStatus;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * uploadCsv by the GraphQL multipart request spec, against a real server and database: the real files
 * give the library's own counts, the file streams into the load as it arrives, and every broken or
 * unwelcome request is refused with its status and code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadTest {

    private static final String LOAD_FIELDS = "table source status rowsRead inserted rejected"
            + " rejectedByCode { code count } rejectsFile";

    @TempDir
    static Path dir;
    private TestServer server;
    private String writer;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true);
        writer = server.token("writer");
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        server.dataSource.close();
    }

    /** A multipart/form-data body, written part by part. */
    private static final class Multipart {
        final String boundary = "hiring-test-" + System.nanoTime();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Multipart field(String name, String value) {
            return text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
                    + "\r\n");
        }

        /** The headers of a file part, its content to follow. */
        Multipart fileStart(String name, String fileName) {
            return text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
                    + fileName + "\"\r\nContent-Type: text/csv\r\n\r\n");
        }

        Multipart file(String name, Path file) throws IOException {
            fileStart(name, file.getFileName().toString());
            out.write(Files.readAllBytes(file));
            return text("\r\n");
        }

        Multipart text(String text) {
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        byte[] end() {
            return text("--" + boundary + "--\r\n").bytes();
        }
    }

    /** The operations part of one uploadCsv of {@code $file} into {@code table}. */
    private static String uploadCsv(String table) {
        return "{\"query\":\"mutation($file: Upload!) { uploadCsv(table: " + table + ", file: $file) { " + LOAD_FIELDS
                + " } }\",\"variables\":{\"file\":null}}";
    }

    private static final String MAP = "{\"0\":[\"variables.file\"]}";

    private HttpResponse<String> send(TestServer target, String token, String boundary, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.base.resolve("/graphql"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return target.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(TestServer target, String token, String table, Path file) throws Exception {
        Multipart body = new Multipart().field("operations", uploadCsv(table)).field("map", MAP).file("0", file);
        return send(target, token, body.boundary, HttpRequest.BodyPublishers.ofByteArray(body.end()));
    }

    private JsonNode uploaded(String table, Path file) throws Exception {
        HttpResponse<String> response = upload(server, writer, table, file);
        JsonNode body = TestServer.JSON.readTree(response.body());
        assertEquals(200, response.statusCode(), response.body());
        assertFalse(body.has("errors"), response.body());
        return body.at("/data/uploadCsv");
    }

    private static String code(HttpResponse<String> response) throws Exception {
        return TestServer.JSON.readTree(response.body()).at("/errors/0/extensions/code").asText();
    }

    private static Map<String, Long> byCode(LoadResult load) {
        Map<String, Long> counts = new TreeMap<>();
        load.rejectedByCode().forEach((code, count) -> counts.put(code.name(), count));
        return counts;
    }

    private static Map<String, Long> byCode(JsonNode load) {
        Map<String, Long> counts = new TreeMap<>();
        load.get("rejectedByCode").forEach(c -> counts.put(c.get("code").asText(), c.get("count").asLong()));
        return counts;
    }

    @Test
    void theRealFilesGiveTheLibrarysCountsAndASecondUploadInsertsNothing() throws Exception {
        List<JsonNode> uploads = List.of(
                uploaded("DEPARTMENTS", RealData.dir().resolve("departments.csv")),
                uploaded("JOBS", RealData.dir().resolve("jobs.csv")),
                uploaded("HIRED_EMPLOYEES", RealData.dir().resolve("hired_employees.csv")));

        // The same files loaded by the library into a database of their own.
        List<LoadResult> library;
        try (HikariDataSource other = TestDatabase.newDatabase()) {
            HiringKit kit = HiringKit.builder().dataSource(other).archive(ArchiveStore.directory(dir.resolve("library")))
                    .build();
            kit.migrate();
            library = kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
        }
        for (Table table : Table.values()) {
            JsonNode upload = uploads.get(table.ordinal());
            LoadResult expected = library.get(table.ordinal());
            assertEquals(table.name(), upload.get("table").asText());
            assertEquals("upload/" + table.fileName(), upload.get("source").asText());
            assertEquals("DONE", upload.get("status").asText());
            assertEquals(expected.rowsRead(), upload.get("rowsRead").asLong(), table.name());
            assertEquals(expected.inserted(), upload.get("inserted").asLong(), table.name());
            assertEquals(expected.rejected(), upload.get("rejected").asLong(), table.name());
            assertEquals(byCode(expected), byCode(upload), table.name());
        }
        assertEquals(library.get(2).inserted(), server.kit.repository().count(Table.HIRED_EMPLOYEES));
        assertEquals(1999, uploads.get(2).get("rowsRead").asLong());
        assertTrue(uploads.get(2).get("rejected").asLong() > 0);
        assertTrue(Files.isRegularFile(Path.of(uploads.get(2).get("rejectsFile").asText())));

        JsonNode again = uploaded("HIRED_EMPLOYEES", RealData.dir().resolve("hired_employees.csv"));
        assertEquals(0, again.get("inserted").asLong());
        assertEquals(1999, again.get("rowsRead").asLong());
        assertEquals(library.get(2).inserted(), byCode(again).get("DUPLICATE_ID"));
        assertEquals(library.get(2).inserted(), server.kit.repository().count(Table.HIRED_EMPLOYEES));
    }

    @Test
    void theFileStreamsIntoTheLoadBeforeTheRequestHasArrived() throws Exception {
        Multipart body = new Multipart().field("operations", uploadCsv("DEPARTMENTS")).field("map", MAP)
                .fileStart("0", "streamed.csv").text("9001,Streamed\n");
        byte[] head = body.bytes();
        byte[] all = body.text("9002,Also streamed\r\n").end();
        // A plain socket, as curl sends: java.net.http may hold a streamed body back until it has all of it.
        try (Socket socket = new Socket(server.base.getHost(), server.base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /graphql HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + writer
                    + "\r\nContent-Type: multipart/form-data; boundary=" + body.boundary + "\r\nContent-Length: "
                    + all.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.flush();
            // The load is running while the rest of the file is still to come: nothing waited for the whole body.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (server.kit.repository().loads(10).stream().noneMatch(l -> l.source().equals("upload/streamed.csv")
                    && l.status() == LoadStatus.RUNNING)) {
                assertTrue(System.nanoTime() < deadline, "no load started before the request body ended");
                Thread.sleep(20);
            }
            out.write(all, head.length, all.length - head.length);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            JsonNode load = TestServer.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4))
                    .at("/data/uploadCsv");
            assertEquals(2, load.get("inserted").asInt(), response);
        }
        assertEquals("Also streamed", server.kit.repository().department(9002).orElseThrow().department());
    }

    @Test
    void filesMayComeInAnyOrderAndOneRequestMayCarrySeveral() throws Exception {
        Path departments = dir.resolve("more_departments.csv");
        Files.writeString(departments, "7001,Research\n7002,Legal\n");
        Path jobs = dir.resolve("more_jobs.csv");
        Files.writeString(jobs, "7001,Counsel\n");
        String operations = "{\"query\":\"mutation($d: Upload!, $j: Upload!) { d: uploadCsv(table: DEPARTMENTS, file: $d)"
                + " { inserted } j: uploadCsv(table: JOBS, file: $j) { inserted } }\",\"variables\":{\"d\":null,\"j\":null}}";
        // The jobs file comes first but is read second: it waits in a temporary file meanwhile.
        Multipart body = new Multipart().field("operations", operations)
                .field("map", "{\"jobs\":[\"variables.j\"],\"departments\":[\"variables.d\"]}")
                .file("jobs", jobs).file("departments", departments);
        HttpResponse<String> response = send(server, writer, body.boundary, HttpRequest.BodyPublishers.ofByteArray(body.end()));
        JsonNode data = TestServer.JSON.readTree(response.body()).get("data");
        assertEquals(2, data.at("/d/inserted").asInt(), response.body());
        assertEquals(1, data.at("/j/inserted").asInt(), response.body());
    }

    @Test
    void readersAndAnonymousCallersMayNotUpload() throws Exception {
        Path file = dir.resolve("refused.csv");
        Files.writeString(file, "8001,Refused\n");
        HttpResponse<String> reader = upload(server, server.token("reader"), "DEPARTMENTS", file);
        assertEquals(200, reader.statusCode());
        assertEquals("FORBIDDEN", code(reader));
        HttpResponse<String> anonymous = upload(server, null, "DEPARTMENTS", file);
        assertEquals(401, anonymous.statusCode());
        assertEquals("UNAUTHENTICATED", code(anonymous));
        assertTrue(server.kit.repository().department(8001).isEmpty());
        assertTrue(server.kit.repository().loads(100).stream().noneMatch(l -> l.source().endsWith("refused.csv")));
    }

    @Test
    void anUploadOverTheLimitIs413() throws Exception {
        try (TestServer small = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive-small"), dir,
                settings -> settings.maxUploadBytes(32 * 1024))) {
            String token = small.token("writer");
            Path employees = RealData.dir().resolve("hired_employees.csv");
            // Declared too large by its Content-Length: refused before it is read.
            HttpResponse<String> declared = upload(small, token, "HIRED_EMPLOYEES", employees);
            assertEquals(413, declared.statusCode(), declared.body());
            assertEquals("UPLOAD_TOO_LARGE", code(declared));
            // Sent without a length: refused once 32 KiB have arrived, and the load stops.
            Multipart body = new Multipart().field("operations", uploadCsv("DEPARTMENTS")).field("map", MAP)
                    .file("0", employees);
            byte[] bytes = body.end();
            HttpResponse<String> streamed = send(small, token, body.boundary,
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
            assertEquals(413, streamed.statusCode(), streamed.body());
            assertEquals("UPLOAD_TOO_LARGE", code(streamed));
            assertEquals(0, small.kit.repository().count(Table.DEPARTMENTS));
            small.dataSource.close();
        }
    }

    @Test
    void brokenMultipartRequestsAre400WithACode() throws Exception {
        Path file = dir.resolve("departments_x.csv");
        Files.writeString(file, "9101,X\n");
        List<Multipart> broken = List.of(
                new Multipart().field("map", MAP).file("0", file),                              // no operations
                new Multipart().field("operations", uploadCsv("DEPARTMENTS")).file("0", file),   // no map
                new Multipart().field("operations", uploadCsv("DEPARTMENTS")).field("map", "{\"1\":[\"variables.file\"]}")
                        .file("0", file),                                                      // map names a missing part
                new Multipart().field("operations", uploadCsv("DEPARTMENTS")).field("map", "{\"0\":[\"variables.nope\"]}")
                        .file("0", file),                                                      // path leads nowhere
                new Multipart().field("operations", "[" + uploadCsv("DEPARTMENTS") + "]").field("map", MAP)
                        .file("0", file),                                                      // batching
                new Multipart().field("operations", "{not json").field("map", MAP).file("0", file));
        for (Multipart request : broken) {
            HttpResponse<String> response = send(server, writer, request.boundary,
                    HttpRequest.BodyPublishers.ofByteArray(request.end()));
            assertEquals(400, response.statusCode(), response.body());
            assertEquals("BAD_MULTIPART", code(response), response.body());
            assertFalse(response.body().contains("\tat ") || response.body().contains("Exception"), response.body());
        }

        // A table that is not one of the three CSV tables: the schema refuses it, a GraphQL request error
        // (200 in application/json, as the GraphQL-over-HTTP spec says).
        Multipart table = new Multipart().field("operations", uploadCsv("REJECTIONS")).field("map", MAP).file("0", file);
        HttpResponse<String> unknownTable = send(server, writer, table.boundary,
                HttpRequest.BodyPublishers.ofByteArray(table.end()));
        assertEquals(200, unknownTable.statusCode(), unknownTable.body());
        assertFalse(code(unknownTable).isEmpty());

        // Cut off before the closing boundary.
        String truncated = "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n" + uploadCsv("DEPARTMENTS")
                + "\r\n--b\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n" + MAP
                + "\r\n--b\r\nContent-Disposition: form-data; name=\"0\"; filename=\"cut.csv\"\r\n\r\n9102,Cut";
        HttpResponse<String> cut = send(server, writer, "b", HttpRequest.BodyPublishers.ofString(truncated));
        assertEquals(400, cut.statusCode(), cut.body());
        assertEquals("BAD_MULTIPART", code(cut));

        HttpResponse<String> noBoundary = server.http.send(HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("Content-Type", "multipart/form-data").header("Authorization", "Bearer " + writer)
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, noBoundary.statusCode());
        assertEquals("BAD_MULTIPART", code(noBoundary));
        assertTrue(server.kit.repository().department(9101).isEmpty());
    }
}
