package dev.hiringkit.server.http;

import dev.hiringkit.server.observability.HiringMetrics;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The metrics port: {@code GET /metrics} in the Prometheus text format, and nothing else (a JSON 404).
 * It needs no token: it listens only on its own port, which the network, not a password, keeps to
 * Prometheus, as is usual for scrape targets.
 */
final class MetricsHandler extends Handler.Abstract {

    /** The Prometheus text exposition format, version 0.0.4, which every Prometheus reads. */
    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final HiringMetrics metrics;

    MetricsHandler(HiringMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!"/metrics".equals(request.getHttpURI().getPath())) {
            JsonAnswers.json(response, callback, 404, JsonAnswers.JSON_TYPE, JsonAnswers.error("NOT_FOUND",
                    "This port serves only GET /metrics."));
            return true;
        }
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            JsonAnswers.json(response, callback, 405, JsonAnswers.JSON_TYPE, JsonAnswers.error("METHOD_NOT_ALLOWED", "Use GET."));
            return true;
        }
        JsonAnswers.send(response, callback, 200, TEXT_FORMAT, metrics.scrape().getBytes(StandardCharsets.UTF_8));
        return true;
    }
}
