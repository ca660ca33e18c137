package dev.hiringkit.server.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The server's OpenTelemetry, set up by the standard {@code OTEL_*} variables (or {@code otel.*} system
 * properties) through the SDK's autoconfigure module, and off unless they ask for traces: without
 * {@code OTEL_TRACES_EXPORTER} (other than {@code none}) and without {@code OTEL_SDK_DISABLED=false}, it is
 * {@link OpenTelemetry#noop()}: no SDK, no exporter, no connection attempt, no warning, a no-op span per
 * request. The SDK's own default would export OTLP to localhost:4318 and warn at every failed export.
 */
public final class Tracing {

    /**
     * Defaults under the variables: the service's name, and no OpenTelemetry metrics or logs (metrics are
     * Prometheus's at /metrics; logs go to the log file, with the trace id).
     */
    private static final Map<String, String> DEFAULTS = Map.of(
            "otel.service.name", "hiring",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none");

    private Tracing() {
    }

    /** The OpenTelemetry the process's environment and system properties ask for. */
    public static OpenTelemetry fromEnvironment() {
        return configure(name -> {
            String property = System.getProperty(name);
            return property != null ? property
                    : System.getenv(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        });
    }

    /** Whether {@code settings} (a property name such as {@code otel.traces.exporter} to its value) ask for traces. */
    static boolean enabled(UnaryOperator<String> settings) {
        String exporter = settings.apply("otel.traces.exporter");
        if (exporter != null && !exporter.isBlank() && !exporter.strip().equalsIgnoreCase("none")) {
            return !"true".equalsIgnoreCase(settings.apply("otel.sdk.disabled"));
        }
        return "false".equalsIgnoreCase(settings.apply("otel.sdk.disabled"));
    }

    static OpenTelemetry configure(UnaryOperator<String> settings) {
        if (!enabled(settings)) {
            return OpenTelemetry.noop();
        }
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> DEFAULTS)
                .build()
                .getOpenTelemetrySdk();
    }
}
