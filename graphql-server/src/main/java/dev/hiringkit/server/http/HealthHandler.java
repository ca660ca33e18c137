package dev.hiringkit.server.http;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /health}: 200 when the database answers, 503 when it does not. */
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
        Http.json(response, callback, up ? 200 : 503, "application/json; charset=utf-8",
                Map.of("status", up ? "UP" : "DOWN", "database", up ? "UP" : "DOWN"));
        return true;
    }
}
