package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import dev.hiringkit.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces over real HTTP, into the SDK's in-memory exporter: the server span continues the caller's W3C
 * trace and is named in the answer's traceparent, with a client span for the SQL of the operation under it.
 */
class TracingTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";

    @TempDir
    Path dir;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private OpenTelemetrySdk openTelemetry;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        openTelemetry = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir,
                settings -> settings.openTelemetry(openTelemetry));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        server.dataSource.close();
        openTelemetry.close();
    }

    /**
     * The server span, which ends when the answer has been sent: the client may read the answer a moment
     * before. Waits for it up to 10 s.
     */
    private SpanData serverSpan() throws InterruptedException {
        for (int attempt = 0; attempt < 200; attempt++) {
            var found = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no server span ended: " + spans.getFinishedSpanItems());
    }

    @Test
    void aRequestContinuesTheCallersTraceWithASpanForItsSql() throws Exception {
        String reader = server.token("reader");
        spans.reset();
        HttpResponse<String> response = server.http.send(HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + reader)
                .header("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(Map.of("query",
                        "query Hires { hiresByQuarter(year: 2021) { totalRows } }"))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());

        SpanData serverSpan = serverSpan();
        List<SpanData> finished = spans.getFinishedSpanItems();
        assertEquals("query Hires", serverSpan.getName());
        assertEquals(TRACE_ID, serverSpan.getTraceId());
        assertEquals(PARENT_SPAN_ID, serverSpan.getParentSpanId());
        assertTrue(serverSpan.getParentSpanContext().isRemote());
        assertEquals("query", serverSpan.getAttributes().get(AttributeKey.stringKey("graphql.operation.type")));
        assertEquals(200L, serverSpan.getAttributes().get(AttributeKey.longKey("http.response.status_code")));

        SpanData sql = finished.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        assertEquals("SELECT report hires_by_quarter", sql.getName());
        assertEquals(TRACE_ID, sql.getTraceId());
        assertEquals(serverSpan.getSpanId(), sql.getParentSpanId());
        assertEquals("postgresql", sql.getAttributes().get(AttributeKey.stringKey("db.system.name")));

        // The answer names the server span: same trace, the server's span, sampled.
        String traceparent = response.headers().firstValue("traceparent").orElseThrow();
        assertEquals("00-" + TRACE_ID + "-" + serverSpan.getSpanId() + "-01", traceparent);
        assertNotEquals(PARENT_SPAN_ID, serverSpan.getSpanId());
    }

    @Test
    void aRequestWithoutTraceparentStartsATraceAndAFailedOneIsMarked() throws Exception {
        spans.reset();
        HttpResponse<String> refused = server.post(null, "{ hiresByQuarter(year: 2021) { totalRows } }", null);
        assertEquals(401, refused.statusCode());
        SpanData serverSpan = serverSpan();
        assertFalse(serverSpan.getParentSpanContext().isValid(), "a new trace");
        assertEquals("query hiresByQuarter", serverSpan.getName());
        assertEquals(io.opentelemetry.api.trace.StatusCode.ERROR, serverSpan.getStatus().getStatusCode());
        // Its flags: sampled, and (W3C level 2) a random trace id.
        String traceparent = refused.headers().firstValue("traceparent").orElseThrow();
        assertTrue(traceparent.startsWith("00-" + serverSpan.getTraceId() + "-" + serverSpan.getSpanId() + "-"), traceparent);
    }
}
