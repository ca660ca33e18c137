package dev.hiringkit.server.http;

import dev.hiringkit.server.GracefulStop;
import dev.hiringkit.server.db.DatabaseFailures;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The health checks, JSON, never behind a sign-in:
 * <ul>
 * <li>{@code /health/live}: 200 as long as the process answers; no database call, so a database outage never
 * makes an orchestrator restart healthy instances.</li>
 * <li>{@code /health/ready} (and {@code /health}, the same): 200 when the instance is not stopping, the
 * database answers within {@link #VALID_SECONDS} (after the pool's own wait for a connection), and every
 * migration this build carries is applied; otherwise 503 with {@code Retry-After}, each check's state, and
 * the code of the first that failed: {@code SHUTTING_DOWN}, {@code DATABASE_UNAVAILABLE} or
 * {@code SCHEMA_NOT_MIGRATED}.</li>
 * </ul>
 */
final class HealthHandler extends Handler.Abstract {

    /** How long the database has to answer a connection's check: a balancer checks about once a second. */
    static final int VALID_SECONDS = 1;

    static final String SHUTTING_DOWN = "SHUTTING_DOWN";
    static final String SHUTTING_DOWN_MESSAGE = "This instance is shutting down; send the request again (another"
            + " instance answers it).";
    static final String NOT_MIGRATED = "SCHEMA_NOT_MIGRATED";

    /** Liveness only, or readiness. */
    enum Check {
        LIVE, READY
    }

    private final Check check;
    private final DataSource dataSource;
    private final BooleanSupplier migrated;
    private final GracefulStop stop;
    /**
     * Set once every migration was seen applied. Migrations only move forward (a newer build's count as
     * applied too), so it is checked until then, not on every call: a balancer asks every second.
     */
    private volatile boolean migrationsSeen;

    HealthHandler(Check check, DataSource dataSource, BooleanSupplier migrated, GracefulStop stop) {
        this.check = check;
        this.dataSource = dataSource;
        this.migrated = migrated;
        this.stop = stop;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (check == Check.LIVE) {
            JsonAnswers.json(response, callback, 200, JsonAnswers.JSON_TYPE, Map.of("status", "UP"));
            return true;
        }
        stop.readinessAsked();
        Map<String, Object> body = new LinkedHashMap<>();
        boolean stopping = stop.isStopping();
        body.put("instance", stopping ? "STOPPING" : "RUNNING");
        String failed = stopping ? SHUTTING_DOWN : null;
        String message = stopping ? SHUTTING_DOWN_MESSAGE : null;
        // A stopping instance answers at once: whatever the database says, it is not ready.
        boolean database = !stopping && databaseAnswers();
        body.put("database", stopping ? "UNKNOWN" : database ? "UP" : "DOWN");
        if (failed == null && !database) {
            failed = DatabaseFailures.UNAVAILABLE;
            message = DatabaseFailures.UNAVAILABLE_MESSAGE;
        }
        boolean schema = database && migrated();
        body.put("migrations", database ? schema ? "UP" : "PENDING" : "UNKNOWN");
        if (failed == null && !schema) {
            failed = NOT_MIGRATED;
            message = "The database's schema is older than this build expects: the migrations have not run, or"
                    + " are running (an instance runs them as it starts).";
        }
        if (failed == null) {
            body.put("status", "UP");
            JsonAnswers.json(response, callback, 200, JsonAnswers.JSON_TYPE, reordered(body));
        } else {
            body.put("status", "DOWN");
            body.putAll(JsonAnswers.error(failed, message));
            JsonAnswers.retryLater(response);
            JsonAnswers.json(response, callback, 503, JsonAnswers.JSON_TYPE, reordered(body));
        }
        return true;
    }

    private boolean databaseAnswers() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(VALID_SECONDS);
        } catch (SQLException e) {
            return false;
        }
    }

    private boolean migrated() {
        if (!migrationsSeen) {
            try {
                migrationsSeen = migrated.getAsBoolean();
            } catch (RuntimeException e) {
                return false;
            }
        }
        return migrationsSeen;
    }

    /** Status first, then the checks, then any error: what a person reading it looks for first. */
    private static Map<String, Object> reordered(Map<String, Object> body) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("status", body.remove("status"));
        ordered.putAll(body);
        return ordered;
    }
}
