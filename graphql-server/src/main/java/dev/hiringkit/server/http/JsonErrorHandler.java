package dev.hiringkit.server.http;

import dev.hiringkit.server.GracefulStop;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The server's answer when no handler gives one: a path nothing serves (404), a request Jetty cannot
 * read (a bad request line or header 400, a URI too long 414, headers too large 431, an HTTP version it
 * does not speak 505), an exception no handler caught (500). JSON with a stable code like every other
 * answer, whatever the client accepts; never Jetty's HTML page, the exception or its message. At
 * {@code /token} the body has the OAuth2 error shape.
 */
final class JsonErrorHandler implements Request.Handler {

    private final GracefulStop stop;

    JsonErrorHandler(GracefulStop stop) {
        this.stop = stop;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        Object cause = request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        // An uncaught exception is already logged, with its stack, by Jetty (Response.writeError).
        if (cause instanceof HttpException http) {
            status = http.getCode();
        }
        if (status == HttpStatus.NOT_MODIFIED_304) {
            // Jetty's ResourceService answers a conditional GET of an unchanged file through the error path.
            response.setStatus(status);
            callback.succeeded();
            return true;
        }
        if (status < 400) {
            // Jetty calls an error handler for errors only; a status it left unset is a failure.
            status = 500;
        }
        response.setStatus(status);
        if (HttpMethod.HEAD.is(request.getMethod()) || HttpStatus.hasNoBody(status)) {
            callback.succeeded();
            return true;
        }
        if (status == 503) {
            JsonAnswers.retryLater(response);
        }
        if (status == 503 && stop.isRefusing()) {
            // Jetty's GracefulHandler refusing a request during a stop. The connection is closed after the
            // answer, so a client that keeps connections reconnects, through its balancer, to another instance.
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            JsonAnswers.json(response, callback, status, JsonAnswers.JSON_TYPE, "/token".equals(path(request))
                    ? JsonAnswers.oauthError("temporarily_unavailable", HealthHandler.SHUTTING_DOWN_MESSAGE)
                    : JsonAnswers.error(HealthHandler.SHUTTING_DOWN, HealthHandler.SHUTTING_DOWN_MESSAGE));
            return true;
        }
        Object body = "/token".equals(path(request))
                ? JsonAnswers.oauthError(status == 503 ? "temporarily_unavailable" : status >= 500 ? "server_error"
                        : "invalid_request", message(status))
                : JsonAnswers.error(code(status), message(status));
        JsonAnswers.json(response, callback, status, JsonAnswers.JSON_TYPE, body);
        return true;
    }

    /** The path, or null for a request too broken to have one. */
    private static String path(Request request) {
        HttpURI uri = request.getHttpURI();
        return uri == null ? null : uri.getPath();
    }

    private static String code(int status) {
        return switch (status) {
            case 400 -> "BAD_REQUEST";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 408 -> "REQUEST_TIMEOUT";
            case 413 -> "BODY_TOO_LARGE";
            case 414 -> "URI_TOO_LONG";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 431 -> "HEADERS_TOO_LARGE";
            case 501 -> "NOT_IMPLEMENTED";
            case 503 -> "SERVICE_UNAVAILABLE";
            case 505 -> "HTTP_VERSION_NOT_SUPPORTED";
            default -> status < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR";
        };
    }

    /** A message of our own for each status: Jetty's reasons can quote the request or name its parts. */
    private static String message(int status) {
        return switch (status) {
            case 400 -> "The request is not valid HTTP: a malformed request line, URI or header.";
            case 404 -> "Nothing is served at this path: the server answers /graphql, /token, /graphiql, /dashboard"
                    + " and /health (/health/live, /health/ready).";
            case 414 -> "The request's URI is too long.";
            case 431 -> "The request's headers are too large.";
            case 500 -> "The server could not complete the request; it has been logged.";
            case 505 -> "This HTTP version is not supported; use HTTP/1.1.";
            default -> HttpStatus.getMessage(status) + ".";
        };
    }
}
