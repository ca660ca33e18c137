package dev.hiringkit.server.http;

import dev.hiringkit.server.db.DatabaseFailures;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /health}: 200 when the database answers; when it does not, 503 with {@code Retry-After} and
 * the code {@code DATABASE_UNAVAILABLE}.
 */
final class HealthHandler extends Handler.Abstract {

    private final DataSource dataSource;

    HealthHandler(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        boolean up;
        try (Connection connection = dataSource.getConnection()) {
            up = connection.isValid(2);
        } catch (SQLException e) {
            up = false;
        }
        if (up) {
            Http.json(response, callback, 200, Http.JSON_TYPE, Map.of("status", "UP", "database", "UP"));
        } else {
            // The status fields, and the error shape every other refusal has.
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "DOWN");
            body.put("database", "DOWN");
            body.putAll(Http.error(DatabaseFailures.UNAVAILABLE, DatabaseFailures.UNAVAILABLE_MESSAGE));
            Http.retryLater(response);
            Http.json(response, callback, 503, Http.JSON_TYPE, body);
        }
        return true;
    }
}
