package dev.hiringkit.server.observability;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Traces are off unless the OTEL_* settings ask for them, and then the SDK is what autoconfigure builds. */
class TracingSwitchTest {

    private static boolean enabled(Map<String, String> settings) {
        return Tracing.enabled(settings::get);
    }

    @Test
    void offUnlessAnExporterOrTheSdkIsAskedFor() {
        assertFalse(enabled(Map.of()), "nothing set");
        assertFalse(enabled(Map.of("otel.service.name", "hiring-eu")), "settings that ask for no traces");
        assertFalse(enabled(Map.of("otel.traces.exporter", "none")));
        assertFalse(enabled(Map.of("otel.traces.exporter", "otlp", "otel.sdk.disabled", "true")));
        assertFalse(enabled(Map.of("otel.sdk.disabled", "true")));
        assertTrue(enabled(Map.of("otel.traces.exporter", "otlp")));
        assertTrue(enabled(Map.of("otel.traces.exporter", "logging")));
        assertTrue(enabled(Map.of("otel.sdk.disabled", "false")), "the SDK asked for: its default exporter, OTLP");
        assertSame(OpenTelemetry.noop(), Tracing.configure(name -> null));
    }

    @Test
    void anExporterAskedForGivesTheSdk() {
        System.setProperty("otel.traces.exporter", "logging");
        try {
            OpenTelemetry openTelemetry = Tracing.fromEnvironment();
            assertTrue(openTelemetry instanceof OpenTelemetrySdk, openTelemetry.toString());
            ((OpenTelemetrySdk) openTelemetry).close();
        } finally {
            System.clearProperty("otel.traces.exporter");
        }
    }
}
