package dev.hiringkit.server.graphql;

import graphql.execution.ExecutionStepInfo;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.schema.DataFetcher;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.Map;

/**
 * A client span around each root field that works the database, one per group of SQL statements the
 * library runs for it: a batch's inserts, a load's COPY chunks (an event each), a report's query, a
 * backup's or restore's COPY of its tables. Chosen over the OpenTelemetry JDBC instrumentation, which
 * wraps the DataSource and makes a span per statement: a 5M-row load is 1,000 chunks of several
 * statements each, and a trace of thousands of spans says less than one span per step a user asked for.
 */
final class SqlSpans extends SimplePerformantInstrumentation {

    static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");
    static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<String> DB_SUMMARY = AttributeKey.stringKey("db.query.summary");

    /** The SQL of a root field: the statement kind and what it works on. */
    private record Group(String operation, String target) {
        String summary() {
            return operation + " " + target;
        }
    }

    private static final Map<String, Group> GROUPS = Map.ofEntries(
            Map.entry("departments", new Group("SELECT", "departments")),
            Map.entry("jobs", new Group("SELECT", "jobs")),
            Map.entry("hiredEmployees", new Group("SELECT", "hired_employees")),
            Map.entry("rejections", new Group("SELECT", "rejections")),
            Map.entry("loads", new Group("SELECT", "loads")),
            Map.entry("hiresByQuarter", new Group("SELECT", "report hires_by_quarter")),
            Map.entry("departmentsAboveMean", new Group("SELECT", "report departments_above_mean")),
            Map.entry("ingest", new Group("INSERT", "batch")),
            Map.entry("loadHistorical", new Group("COPY", "load")),
            Map.entry("uploadCsv", new Group("COPY", "load")),
            Map.entry("backup", new Group("COPY", "backup")),
            Map.entry("restore", new Group("COPY", "restore")));

    private final Tracer tracer;

    SqlSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public DataFetcher<?> instrumentDataFetcher(DataFetcher<?> fetcher, InstrumentationFieldFetchParameters parameters,
            InstrumentationState state) {
        if (parameters.isTrivialDataFetcher()) {
            return fetcher;
        }
        ExecutionStepInfo step = parameters.getExecutionStepInfo();
        Group group = step.getPath().getLevel() == 1 ? GROUPS.get(step.getFieldDefinition().getName()) : null;
        if (group == null) {
            return fetcher;
        }
        return env -> {
            Span span = tracer.spanBuilder(group.summary()).setSpanKind(SpanKind.CLIENT)
                    .setAttribute(DB_SYSTEM, "postgresql")
                    .setAttribute(DB_OPERATION, group.operation())
                    .setAttribute(DB_SUMMARY, group.summary())
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                return fetcher.get(env);
            } catch (RuntimeException e) {
                span.recordException(e);
                span.setStatus(StatusCode.ERROR);
                throw e;
            } finally {
                span.end();
            }
        };
    }
}
