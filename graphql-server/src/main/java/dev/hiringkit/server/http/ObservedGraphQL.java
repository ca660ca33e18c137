package dev.hiringkit.server.http;

import dev.hiringkit.HiringException;
import dev.hiringkit.server.db.DatabaseFailures;
import dev.hiringkit.server.observability.HiringMetrics;
import dev.hiringkit.server.observability.HiringMetrics.Outcome;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Around {@link GraphQLHandler}: a server span per request, child of the request's W3C {@code traceparent}
 * and named in the answer's {@code traceparent}; the trace and span ids in the logging MDC while the
 * request runs; the request's latency and outcome in {@link HiringMetrics}. {@link GraphQLHandler} tells it
 * which operation ran ({@link #operation}) and whether the answer had errors ({@link #errors}).
 */
final class ObservedGraphQL extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(ObservedGraphQL.class);

    /** MDC keys, as OpenTelemetry's logback instrumentation names them. */
    static final String TRACE_ID = "trace_id";
    static final String SPAN_ID = "span_id";

    private static final String OPERATION = ObservedGraphQL.class.getName() + ".operation";
    private static final String ERRORS = ObservedGraphQL.class.getName() + ".errors";
    private static final String INVALID = ObservedGraphQL.class.getName() + ".invalid";
    private static final String UNAVAILABLE_CODE = ObservedGraphQL.class.getName() + ".unavailableCode";
    /**
     * Root fields at most named in one label: an operation with more is "multiple". Each root field is a
     * field of the schema (the document was validated), so labels are bounded by the schema, not clients.
     */
    private static final int MAX_LABEL_FIELDS = 1;

    private static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("graphql.operation.type");
    private static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("graphql.operation.name");
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private static final TextMapGetter<Request> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Request request) {
            return request.getHeaders().getFieldNamesCollection();
        }

        @Override
        public String get(Request request, String key) {
            return request == null ? null : request.getHeaders().get(key);
        }
    };
    private static final TextMapSetter<Response> RESPONSE_HEADERS = (response, key, value) ->
            response.getHeaders().put(new HttpField(key, value));

    /** What ran: its type, its label for metrics, and for spans the client's name when it gave one. */
    private record Operation(String type, String label, String name) {
    }

    private final HiringMetrics metrics;
    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;

    ObservedGraphQL(Handler graphQL, HiringMetrics metrics, OpenTelemetry openTelemetry) {
        super(graphQL);
        this.metrics = metrics;
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("dev.hiringkit.server");
    }

    /** Called by the handler once it knows the operation to run. */
    static void operation(Request request, Document document, OperationDefinition operation) {
        String type = operation.getOperation().name().toLowerCase(Locale.ROOT);
        TreeSet<String> fields = new TreeSet<>();
        rootFields(document, operation.getSelectionSet(), fields);
        String label = fields.isEmpty() ? "none" : fields.size() > MAX_LABEL_FIELDS ? "multiple" : fields.first();
        request.setAttribute(OPERATION, new Operation(type, label, operation.getName()));
    }

    /** Called when the answer has errors: executed with errors when it ran, else a request error. */
    static void errors(Request request, boolean executed) {
        request.setAttribute(executed ? ERRORS : INVALID, Boolean.TRUE);
    }

    /**
     * Called when the answer is a 503, with its error's code ({@code DATABASE_UNAVAILABLE}, {@code TABLE_BUSY},
     * {@code SHUTTING_DOWN}): the outcome says which, as a dashboard must tell a database down from a busy table.
     */
    static void unavailable(Request request, Object code) {
        request.setAttribute(UNAVAILABLE_CODE, code);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        Context parent = openTelemetry.getPropagators().getTextMapPropagator().extract(Context.root(), request, HEADERS);
        // Named after the operation once it is known (see finish); the path until then.
        Span span = tracer.spanBuilder(request.getMethod() + " " + request.getHttpURI().getPath()).setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(METHOD, request.getMethod())
                .setAttribute(PATH, request.getHttpURI().getPath())
                .startSpan();
        SpanContext spanContext = span.getSpanContext();
        if (spanContext.isValid()) {
            W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), response, RESPONSE_HEADERS);
            MDC.put(TRACE_ID, spanContext.getTraceId());
            MDC.put(SPAN_ID, spanContext.getSpanId());
        }
        // Recorded once: when the answer is sent, or when the handler throws instead.
        AtomicBoolean finished = new AtomicBoolean();
        Callback done = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                if (finished.compareAndSet(false, true)) {
                    finish(request, response, span, start, null);
                }
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                if (finished.compareAndSet(false, true)) {
                    finish(request, response, span, start, failure);
                }
                super.failed(failure);
            }
        };
        try (Scope ignored = span.makeCurrent()) {
            return super.handle(request, response, done);
        } catch (Exception | Error e) {
            if (finished.compareAndSet(false, true)) {
                finish(request, response, span, start, e);
            }
            throw e;
        } finally {
            MDC.remove(TRACE_ID);
            MDC.remove(SPAN_ID);
        }
    }

    private void finish(Request request, Response response, Span span, long start, Throwable failure) {
        long nanos = System.nanoTime() - start;
        int status = failure != null ? 500 : response.getStatus();
        Operation operation = request.getAttribute(OPERATION) instanceof Operation o ? o : new Operation("none", "none",
                null);
        Outcome outcome = outcome(request, status);
        metrics.request(operation.type(), operation.label(), outcome, nanos);
        if (span.isRecording()) {
            if (!operation.type().equals("none")) {
                span.updateName(operation.type() + " " + (operation.name() != null ? operation.name() : operation.label()));
                span.setAttribute(OPERATION_TYPE, operation.type());
                if (operation.name() != null) {
                    span.setAttribute(OPERATION_NAME, operation.name());
                }
            }
            span.setAttribute(STATUS, (long) status);
            if (failure != null) {
                span.recordException(failure);
            }
            if (outcome != Outcome.OK) {
                span.setStatus(StatusCode.ERROR, outcome.name());
            }
        }
        span.end();
        if (LOG.isDebugEnabled()) {
            debug(span.getSpanContext(), operation.type() + " " + operation.label() + ": " + status + " "
                    + outcome.label() + " in " + nanos / 1_000_000 + " ms");
        }
    }

    /** A line of the debug log; the answer may complete on another thread, so the ids are put in the MDC again. */
    private static void debug(SpanContext context, String line) {
        if (!context.isValid()) {
            LOG.debug(line);
            return;
        }
        try (MDC.MDCCloseable trace = MDC.putCloseable(TRACE_ID, context.getTraceId());
                MDC.MDCCloseable span = MDC.putCloseable(SPAN_ID, context.getSpanId())) {
            LOG.debug(line);
        }
    }

    static Outcome outcome(Request request, int status) {
        if (status == 503) {
            return unavailableOutcome(request.getAttribute(UNAVAILABLE_CODE));
        }
        if (status >= 500) {
            return Outcome.INTERNAL_ERROR;
        }
        if (status == 401) {
            return Outcome.UNAUTHENTICATED;
        }
        if (status >= 400 || request.getAttribute(INVALID) != null) {
            return Outcome.BAD_REQUEST;
        }
        return request.getAttribute(ERRORS) != null ? Outcome.ERROR : Outcome.OK;
    }

    /** The outcome of a 503 by its answer's code; a 503 without one is a failure of the server's. */
    static Outcome unavailableOutcome(Object code) {
        if (HiringException.Code.TABLE_BUSY.name().equals(code)) {
            return Outcome.TABLE_BUSY;
        }
        if (HealthHandler.SHUTTING_DOWN.equals(code)) {
            return Outcome.SHUTTING_DOWN;
        }
        return DatabaseFailures.UNAVAILABLE.equals(code) ? Outcome.DATABASE_UNAVAILABLE : Outcome.INTERNAL_ERROR;
    }

    private static void rootFields(Document document, SelectionSet set, Set<String> into) {
        for (Selection<?> selection : set.getSelections()) {
            if (selection instanceof Field field) {
                into.add(field.getName());
            } else if (selection instanceof InlineFragment inline) {
                rootFields(document, inline.getSelectionSet(), into);
            } else if (selection instanceof FragmentSpread spread) {
                document.getDefinitionsOfType(FragmentDefinition.class).stream()
                        .filter(f -> f.getName().equals(spread.getName())).findFirst()
                        .ifPresent(f -> rootFields(document, f.getSelectionSet(), into));
            }
        }
    }
}
