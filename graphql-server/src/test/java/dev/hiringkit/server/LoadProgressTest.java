package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.testing.SecondChunkHold;
import dev.hiringkit.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live progress over Server-Sent Events (graphql-sse): loads started with {@code async: true} are
 * followed through the loadStarted and loadProgress subscriptions, from another server on the same
 * database, which knows of them only through the loads table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadProgressTest {

    @TempDir
    static Path dir;
    private TestServer first;
    private TestServer second;
    private String writer;

    @BeforeAll
    void start() throws Exception {
        first = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true);
        second = new TestServer(first, dir.resolve("archive2"));
        writer = first.token("writer");
    }

    @AfterAll
    void stop() throws Exception {
        second.close();
        first.close();
        first.dataSource.close();
    }

    /** One event of a stream: its name and its data, parsed. */
    private record Event(String name, JsonNode data) {
    }

    /** A graphql-sse client: POSTs the operation with Accept: text/event-stream and queues the events. */
    private static final class Stream2 implements AutoCloseable {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final CompletableFuture<HttpResponse<Stream<String>>> response;

        Stream2(TestServer server, String token, String query, Map<String, Object> variables) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(server.base.resolve("/graphql/stream"))
                    .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(
                            variables == null ? Map.of("query", query) : Map.of("query", query, "variables", variables))));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            response = server.http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
            response.thenAcceptAsync(r -> {
                String name = null;
                for (String line : (Iterable<String>) r.body()::iterator) {
                    if (line.startsWith("event: ")) {
                        name = line.substring(7);
                    } else if (line.startsWith("data: ") && name != null) {
                        try {
                            String data = line.substring(6);
                            events.add(new Event(name, data.isEmpty() ? null : TestServer.JSON.readTree(data)));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            });
        }

        Event next() throws InterruptedException {
            Event event = events.poll(60, TimeUnit.SECONDS);
            assertNotNull(event, "no event within 60 s");
            return event;
        }

        @Override
        public void close() {
            response.thenAccept(r -> r.body().close());
        }
    }

    @Test
    void aMillionRowLoadIsFollowedFromAnotherServer() throws Exception {
        Path million = dir.resolve("million");
        DataGenerator.builder().employees(1_000_000).seed(12).build().writeTo(million);
        // The load's second chunk waits until the other server has shown progress: a load is followed while it
        // runs, however fast this machine loads a million rows (about 1 s; the other server polls every 250 ms).
        try (SecondChunkHold hold = SecondChunkHold.install(first.dataSource);
                Stream2 started = new Stream2(second, writer, "subscription { loadStarted { id table status } }", null)) {
            long begin = System.nanoTime();
            JsonNode answer = first.data(writer, "mutation { loadHistorical(source: \"million\", async: true)"
                    + " { id table status rowsRead } }", null).at("/loadHistorical/0");
            long answerMillis = (System.nanoTime() - begin) / 1_000_000;
            // The first file's load as it was once recorded: a small file may be done by then.
            assertTrue(answer.get("status").asText().matches("RUNNING|DONE"), answer.toString());
            assertEquals("DEPARTMENTS", answer.get("table").asText());

            // The other server learns of the three loads from the loads table.
            String employeesLoad = null;
            List<String> tables = new ArrayList<>();
            while (employeesLoad == null) {
                Event event = started.next();
                assertEquals("next", event.name());
                JsonNode load = event.data().at("/data/loadStarted");
                tables.add(load.get("table").asText());
                if (load.get("table").asText().equals("HIRED_EMPLOYEES")) {
                    employeesLoad = load.get("id").asText();
                }
            }
            assertEquals(answer.get("id").asText(), first.kit.repository().loads(3).get(2).loadId().toString());

            List<JsonNode> progress = new ArrayList<>();
            try (Stream2 follow = new Stream2(second, first.token("reader"), "subscription($id: ID!) { loadProgress(loadId: $id)"
                    + " { status rowsRead inserted rejected rejectedByCode { code count } } }", Map.of("id", employeesLoad))) {
                boolean held = true;
                for (Event event = follow.next(); !event.name().equals("complete"); event = follow.next()) {
                    assertTrue(event.data().path("errors").isMissingNode(), event.data().toString());
                    JsonNode seen = event.data().at("/data/loadProgress");
                    progress.add(seen);
                    if (held && seen.get("rowsRead").asLong() > 0) {
                        assertEquals("RUNNING", seen.get("status").asText(), progress.toString());
                        hold.release();
                        held = false;
                    }
                }
            } finally {
                hold.release();
                hold.remove();
            }
            long followedMillis = (System.nanoTime() - begin) / 1_000_000;
            JsonNode last = progress.get(progress.size() - 1);
            assertEquals("DONE", last.get("status").asText(), progress.toString());
            assertEquals(1_000_000, last.get("rowsRead").asLong());
            assertEquals(last.get("rowsRead").asLong(), last.get("inserted").asLong() + last.get("rejected").asLong());
            long running = progress.stream().filter(p -> p.get("status").asText().equals("RUNNING")
                    && p.get("rowsRead").asLong() > 0).count();
            assertTrue(running >= 1, "progress seen while it ran: " + progress);
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i).get("rowsRead").asLong() >= progress.get(i - 1).get("rowsRead").asLong());
            }
            System.out.println("async loadHistorical answered in " + answerMillis + " ms; the other server saw "
                    + tables + " start and " + progress.size() + " progress events (" + running
                    + " while running) of 1,000,000 rows, done after " + followedMillis + " ms");
        }
    }

    @Test
    void theStreamCarriesEveryAnswerAndItsErrors() throws Exception {
        try (Stream2 query = new Stream2(second, writer, "{ me { username } }", null)) {
            Event next = query.next();
            assertEquals("writer", next.data().at("/data/me/username").asText());
            assertEquals("complete", query.next().name());
        }
        try (Stream2 invalid = new Stream2(second, writer, "subscription { nope }", null)) {
            assertEquals("GRAPHQL_VALIDATION_FAILED", invalid.next().data().at("/errors/0/extensions/code").asText());
            assertEquals("complete", invalid.next().name());
        }
        try (Stream2 unknown = new Stream2(second, writer, "subscription { loadProgress(loadId: \""
                + java.util.UUID.randomUUID() + "\") { status } }", null)) {
            assertEquals("LOAD_NOT_FOUND", unknown.next().data().at("/errors/0/extensions/code").asText());
            assertEquals("complete", unknown.next().name());
        }
        try (Stream2 reader = new Stream2(second, second.token("reader"), "subscription { loadStarted { id } }", null)) {
            assertEquals("FORBIDDEN", reader.next().data().at("/errors/0/extensions/code").asText());
        }
        HttpResponse<String> plain = second.post(writer, "subscription { loadStarted { id } }", null);
        assertEquals(400, plain.statusCode());
        assertEquals("EVENT_STREAM_REQUIRED", TestServer.JSON.readTree(plain.body()).at("/errors/0/extensions/code")
                .asText());
    }

    @Test
    void anAsyncUploadAnswersWithItsRunningLoad() throws Exception {
        Path csv = dir.resolve("jobs.csv");
        Files.writeString(csv, "7001,Async one\n7002,Async two\n,broken\n");
        String boundary = "b0undary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n"
                + "{\"query\":\"mutation($f: Upload!) { uploadCsv(table: JOBS, file: $f, async: true) { id status source } }\","
                + "\"variables\":{\"f\":null}}\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n"
                + "{\"0\":[\"variables.f\"]}\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"0\";"
                + " filename=\"async-jobs.csv\"\r\nContent-Type: text/csv\r\n\r\n" + Files.readString(csv) + "\r\n--" + boundary
                + "--\r\n";
        HttpResponse<String> response = first.http.send(HttpRequest.newBuilder(first.base.resolve("/graphql"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Authorization", "Bearer " + writer).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode load = TestServer.JSON.readTree(response.body()).at("/data/uploadCsv");
        assertEquals("RUNNING", load.get("status").asText(), response.body());
        assertEquals("upload/async-jobs.csv", load.get("source").asText());
        try (Stream2 follow = new Stream2(second, writer, "subscription($id: ID!) { loadProgress(loadId: $id)"
                + " { status rowsRead inserted rejected } }", Map.of("id", load.get("id").asText()))) {
            JsonNode last = null;
            for (Event event = follow.next(); !event.name().equals("complete"); event = follow.next()) {
                last = event.data().at("/data/loadProgress");
            }
            assertEquals("DONE", last.get("status").asText());
            assertEquals(3, last.get("rowsRead").asInt());
            assertEquals(2, last.get("inserted").asInt());
        }
    }
}
