package dev.hiringkit.server.http;

import static dev.hiringkit.server.http.JsonAnswers.oauthError;

import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.db.DatabaseFailures;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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

/**
 * {@code POST /token}, form-encoded: the OAuth2 password grant (RFC 6749, section 4.3) for users and the
 * client_credentials grant (section 4.4) for machine clients.
 */
final class TokenHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(TokenHandler.class);
    private static final String JSON = JsonAnswers.JSON_TYPE;
    private static final int MAX_FORM_BYTES = 8192;

    private final Auth auth;

    TokenHandler(Auth auth) {
        this.auth = auth;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            RequestReader.discardRest(request);
            JsonAnswers.json(response, callback, 405, JSON, oauthError("invalid_request", "use POST"));
            return true;
        }
        if (!"application/x-www-form-urlencoded".equals(RequestReader.mediaType(request.getHeaders().get(HttpHeader.CONTENT_TYPE)))) {
            RequestReader.discardRest(request);
            JsonAnswers.json(response, callback, 415, JSON, oauthError("invalid_request",
                    "send application/x-www-form-urlencoded"));
            return true;
        }
        Map<String, String> form;
        try {
            form = form(new String(RequestReader.body(request, MAX_FORM_BYTES), StandardCharsets.UTF_8));
        } catch (RequestReader.TooLarge e) {
            JsonAnswers.json(response, callback, 413, JSON, oauthError("invalid_request", "the form is too large"));
            return true;
        } catch (IOException | IllegalArgumentException e) {
            JsonAnswers.json(response, callback, 400, JSON, oauthError("invalid_request", "the form could not be read"));
            return true;
        }
        String grant = form.get("grant_type");
        boolean client = "client_credentials".equals(grant);
        if (!client && !"password".equals(grant)) {
            JsonAnswers.json(response, callback, 400, JSON, oauthError("unsupported_grant_type",
                    "grant_type must be password or client_credentials"));
            return true;
        }
        Auth.Login login;
        try {
            if (client) {
                String[] credentials = clientCredentials(request, form);
                login = credentials == null ? new Auth.Refused() : auth.clientCredentials(credentials[0], credentials[1]);
            } else {
                String username = form.get("username");
                String password = form.get("password");
                if (username == null || password == null) {
                    JsonAnswers.json(response, callback, 400, JSON, oauthError("invalid_request",
                            "username and password are required"));
                    return true;
                }
                login = auth.login(username, password, RequestReader.address(request));
            }
        } catch (TwoWays e) {
            JsonAnswers.json(response, callback, 400, JSON, oauthError("invalid_request", e.getMessage()));
            return true;
        } catch (IllegalArgumentException e) {
            // A name or password no user can have (U+0000): the request's fault, not a failed sign-in.
            JsonAnswers.json(response, callback, 400, JSON, oauthError("invalid_request", e.getMessage()));
            return true;
        } catch (RuntimeException e) {
            if (DatabaseFailures.unavailable(e)) {
                LOG.warn("sign-in: database unavailable: {}", DatabaseFailures.rootMessage(e));
                JsonAnswers.retryLater(response);
                JsonAnswers.json(response, callback, 503, JSON, oauthError("temporarily_unavailable",
                        DatabaseFailures.UNAVAILABLE_MESSAGE));
            } else if (DatabaseFailures.unstorableText(e)) {
                JsonAnswers.json(response, callback, 400, JSON, oauthError("invalid_request",
                        DatabaseFailures.UNSTORABLE_TEXT_MESSAGE));
            } else {
                LOG.error("sign-in failed", e);
                JsonAnswers.json(response, callback, 500, JSON, oauthError("server_error",
                        "The server could not complete the request; it has been logged."));
            }
            return true;
        }
        // RFC 6749, 5.1: answers with tokens are not to be cached (Cache-Control: no-store is on every answer).
        response.getHeaders().put(HttpHeader.PRAGMA, "no-cache");
        if (login instanceof Auth.Granted granted) {
            // No refresh token: a client signs in again, so a removed or changed account ends its access.
            JsonAnswers.json(response, callback, 200, JSON, Map.of("access_token", granted.token(), "token_type", "Bearer",
                    "expires_in", granted.lifetime().toSeconds()));
        } else if (login instanceof Auth.Throttled throttled) {
            // The wait is a whole number of seconds, rounded up: a client that waits that long is answered.
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, throttled.retryAfter().toSeconds())));
            JsonAnswers.json(response, callback, 429, JSON, oauthError("slow_down", "too many failed sign-ins; try again in "
                    + Math.max(1, throttled.retryAfter().toSeconds()) + " seconds"));
        } else if (client) {
            // RFC 6749, 5.2: invalid_client is a 401 naming the scheme to authenticate with.
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"hiring\"");
            JsonAnswers.json(response, callback, 401, JSON, oauthError("invalid_client",
                    "unknown client or wrong secret: send them as HTTP Basic credentials (client_id:client_secret),"
                            + " or as client_id and client_secret in the form"));
        } else {
            JsonAnswers.json(response, callback, 400, JSON, oauthError("invalid_grant", "wrong user name or password"));
        }
        return true;
    }

    /** A client that authenticated in both the header and the form (RFC 6749, 2.3: one way per request). */
    private static final class TwoWays extends Exception {
        private static final long serialVersionUID = 1L;

        TwoWays() {
            super("send the client's credentials in the Authorization header or in the form, not both");
        }
    }

    /**
     * The client id and secret (RFC 6749, 2.3.1): from an {@code Authorization: Basic} header, each part
     * form-encoded before the Base64 (Appendix B), or from the form's {@code client_id} and
     * {@code client_secret}. Null when neither says, or the header cannot be read: the client is then refused.
     */
    private static String[] clientCredentials(Request request, Map<String, String> form) throws TwoWays {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String secret = form.get("client_secret");
        if (header == null) {
            String id = form.get("client_id");
            return id == null || secret == null ? null : new String[] {id, secret};
        }
        if (secret != null) {
            throw new TwoWays();
        }
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            return null;
        }
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
