package dev.hiringkit.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves files from the classpath: the GraphiQL and dashboard pages and the webjars they load, so
 * both work with no network. Every file has a strong ETag (a hash of its bytes, so every instance of
 * one build gives the same) and answers a matching {@code If-None-Match} with 304; how long a browser
 * may keep a file without asking is the {@link Caching} of the handler.
 */
final class ClasspathHandler extends Handler.Abstract {

    /** How long browsers and proxies may keep what a handler serves. */
    enum Caching {
        /** Files whose path names their version (webjars): kept for a year, never asked about again. */
        IMMUTABLE("public, max-age=31536000, immutable"),
        /** Our own pages, which change with each release under the same path: asked about before each use. */
        REVALIDATE("no-cache");

        private final String cacheControl;

        Caching(String cacheControl) {
            this.cacheControl = cacheControl;
        }
    }

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml",
            "map", "application/json; charset=utf-8");

    private final String urlPrefix;
    private final String classpathPrefix;
    private final Caching caching;
    /**
     * ETags by resource name, so a 304 reads nothing from the jar. Only names that exist get here, so
     * the map is bounded by the files under {@code classpathPrefix} (a few thousand short strings).
     */
    private final Map<String, String> etags = new ConcurrentHashMap<>();

    /**
     * Maps {@code urlPrefix + path} to the resource {@code classpathPrefix + path}; a {@code classpathPrefix}
     * not ending in {@code /} is one file, served at {@code urlPrefix} alone.
     */
    ClasspathHandler(String urlPrefix, String classpathPrefix, Caching caching) {
        this.urlPrefix = urlPrefix;
        this.classpathPrefix = classpathPrefix;
        this.caching = caching;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            RequestReader.discardRest(request);
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            JsonAnswers.json(response, callback, 405, JsonAnswers.JSON_TYPE, JsonAnswers.error("METHOD_NOT_ALLOWED",
                    "Pages and their files are read with GET."));
            return true;
        }
        String path = request.getHttpURI().getPath();
        String relative = path.length() > urlPrefix.length() ? path.substring(urlPrefix.length()) : "";
        if (!classpathPrefix.endsWith("/")) {
            // One file under one path, such as /favicon.ico.
            if (!relative.isEmpty()) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
        } else if (relative.isEmpty() || relative.endsWith("/")) {
            relative += "index.html";
        }
        if (relative.contains("..")) {
            Response.writeError(request, response, callback, 404);
            return true;
        }
        String name = classpathPrefix + relative;
        String etag = etags.get(name);
        if (etag != null && matches(request.getHeaders().get(HttpHeader.IF_NONE_MATCH), etag)) {
            notModified(response, callback, etag);
            return true;
        }
        byte[] bytes;
        try (InputStream in = ClasspathHandler.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
            bytes = in.readAllBytes();
        }
        if (etag == null) {
            etag = etag(bytes);
            etags.put(name, etag);
            if (matches(request.getHeaders().get(HttpHeader.IF_NONE_MATCH), etag)) {
                notModified(response, callback, etag);
                return true;
            }
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPES.getOrDefault(extension, "application/octet-stream"));
        cacheHeaders(response, etag);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }

    private void notModified(Response response, Callback callback, String etag) {
        response.setStatus(HttpStatus.NOT_MODIFIED_304);
        cacheHeaders(response, etag);
        callback.succeeded();
    }

    private void cacheHeaders(Response response, String etag) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, caching.cacheControl);
        response.getHeaders().put(HttpHeader.ETAG, etag);
    }

    /** Whether an If-None-Match header names the ETag (weakly compared, as RFC 9110 says for GET and HEAD). */
    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** A strong ETag: the first 128 bits of the bytes' SHA-256, base64url. */
    private static String etag(byte[] bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 16)) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
