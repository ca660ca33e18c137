package dev.hiringkit.server.http;

import static dev.hiringkit.server.http.Http.oauthError;

import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.db.DatabaseFailures;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code POST /token}: the OAuth2 password grant (RFC 6749, section 4.3), form-encoded. */
final class TokenHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(TokenHandler.class);
    private static final String JSON = Http.JSON_TYPE;
    private static final int MAX_FORM_BYTES = 8192;

    private final Auth auth;

    TokenHandler(Auth auth) {
        this.auth = auth;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            Http.discardRest(request);
            Http.json(response, callback, 405, JSON, oauthError("invalid_request", "use POST"));
            return true;
        }
        if (!"application/x-www-form-urlencoded".equals(Http.mediaType(request.getHeaders().get(HttpHeader.CONTENT_TYPE)))) {
            Http.discardRest(request);
            Http.json(response, callback, 415, JSON, oauthError("invalid_request",
                    "send application/x-www-form-urlencoded"));
            return true;
        }
        Map<String, String> form;
        try {
            form = form(new String(Http.body(request, MAX_FORM_BYTES), StandardCharsets.UTF_8));
        } catch (Http.TooLarge e) {
            Http.json(response, callback, 413, JSON, oauthError("invalid_request", "the form is too large"));
            return true;
        } catch (IOException | IllegalArgumentException e) {
            Http.json(response, callback, 400, JSON, oauthError("invalid_request", "the form could not be read"));
            return true;
        }
        if (!"password".equals(form.get("grant_type"))) {
            Http.json(response, callback, 400, JSON, oauthError("unsupported_grant_type", "grant_type must be password"));
            return true;
        }
        String username = form.get("username");
        String password = form.get("password");
        if (username == null || password == null) {
            Http.json(response, callback, 400, JSON, oauthError("invalid_request", "username and password are required"));
            return true;
        }
        Auth.Login login;
        try {
            login = auth.login(username, password, Http.address(request));
        } catch (IllegalArgumentException e) {
            // A name or password no user can have (U+0000): the request's fault, not a failed sign-in.
            Http.json(response, callback, 400, JSON, oauthError("invalid_request", e.getMessage()));
            return true;
        } catch (RuntimeException e) {
            if (DatabaseFailures.unavailable(e)) {
                LOG.warn("sign-in: database unavailable: {}", DatabaseFailures.rootMessage(e));
                Http.retryLater(response);
                Http.json(response, callback, 503, JSON, oauthError("temporarily_unavailable",
                        DatabaseFailures.UNAVAILABLE_MESSAGE));
            } else if (DatabaseFailures.unstorableText(e)) {
                Http.json(response, callback, 400, JSON, oauthError("invalid_request",
                        DatabaseFailures.UNSTORABLE_TEXT_MESSAGE));
            } else {
                LOG.error("sign-in failed", e);
                Http.json(response, callback, 500, JSON, oauthError("server_error",
                        "The server could not complete the request; it has been logged."));
            }
            return true;
        }
        if (login instanceof Auth.Granted granted) {
            Http.json(response, callback, 200, JSON, Map.of("access_token", granted.token(), "token_type", "Bearer",
                    "expires_in", granted.lifetime().toSeconds()));
        } else if (login instanceof Auth.Throttled throttled) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, throttled.retryAfter().toSeconds())));
            Http.json(response, callback, 429, JSON, oauthError("slow_down", "too many failed sign-ins; try again later"));
        } else {
            Http.json(response, callback, 400, JSON, oauthError("invalid_grant", "wrong user name or password"));
        }
        return true;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.putIfAbsent(name, value);
        }
        return form;
    }
}
