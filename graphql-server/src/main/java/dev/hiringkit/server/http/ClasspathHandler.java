package dev.hiringkit.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves files from the classpath: the GraphiQL and dashboard pages and the webjars they load, so
 * both work with no network.
 */
final class ClasspathHandler extends Handler.Abstract {

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final String urlPrefix;
    private final String classpathPrefix;

    /** Maps {@code urlPrefix + path} to the resource {@code classpathPrefix + path}. */
    ClasspathHandler(String urlPrefix, String classpathPrefix) {
        this.urlPrefix = urlPrefix;
        this.classpathPrefix = classpathPrefix;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String path = request.getHttpURI().getPath();
        String relative = path.length() > urlPrefix.length() ? path.substring(urlPrefix.length()) : "";
        if (relative.isEmpty() || relative.endsWith("/")) {
            relative += "index.html";
        }
        if (relative.contains("..")) {
            Response.writeError(request, response, callback, 404);
            return true;
        }
        String name = classpathPrefix + relative;
        try (InputStream in = ClasspathHandler.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
            String extension = name.substring(name.lastIndexOf('.') + 1);
            Http.send(response, callback, 200, TYPES.getOrDefault(extension, "application/octet-stream"),
                    in.readAllBytes());
        }
        return true;
    }
}
