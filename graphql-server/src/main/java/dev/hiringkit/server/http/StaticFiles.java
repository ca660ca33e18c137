package dev.hiringkit.server.http;

import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ResourceService;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.resource.Resources;

/**
 * Files from the classpath (the GraphiQL and dashboard pages and the webjars they load, so both work with no
 * network), served by Jetty's {@link ResourceHandler}: streamed from the jar, with an ETag and Last-Modified
 * that a conditional request is answered 304 by. How long a browser may keep a file without asking is the
 * {@link Caching} of its area. Anything but GET and HEAD is a JSON 405; a missing file is the server's JSON 404.
 */
final class StaticFiles extends Handler.Wrapper {

    /** How long browsers and proxies may keep what an area serves. */
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

    /** The types of the files served, with the charset they are written in (the scripts hold UTF-8). */
    private static final MimeTypes TYPES = types();

    /** The path of a request as the resource handler should see it: relative to the area's directory. */
    private final UnaryOperator<String> toResourcePath;
    private final String classpathDirectory;
    private final Caching caching;
    /** The area's directory, mounted by the first request; null until then. */
    private volatile Resource base;

    /**
     * The jar is mounted (a zip file system over its 25,000 entries) by the first request for a file, not
     * here: mounting it for the four areas was 0.6-0.9 s of a 2.5 s start on this (busy) 2-core machine, before
     * it could answer anything, for pages that may never be asked for.
     */
    private StaticFiles(String classpathDirectory, Caching caching, UnaryOperator<String> toResourcePath) {
        super(true, null);
        if (StaticFiles.class.getClassLoader().getResource(classpathDirectory) == null) {
            throw new IllegalStateException("No " + classpathDirectory + " on the classpath");
        }
        this.classpathDirectory = classpathDirectory;
        this.caching = caching;
        this.toResourcePath = toResourcePath;
    }

    /** The area's directory, mounted and served by a started resource handler from the first call on. */
    private Resource base() throws Exception {
        Resource mounted = base;
        if (mounted != null) {
            return mounted;
        }
        synchronized (this) {
            if (base == null) {
                ResourceHandler files = new ResourceHandler() {
                    // Ours, not the context's: the handler takes those when it starts.
                    @Override
                    public MimeTypes getMimeTypes() {
                        return TYPES;
                    }
                };
                // Mounted jars are let go when the handler stops. A directory found in several jars (webjars) is one.
                Resource directory = ResourceFactory.of(files).newClassLoaderResource(classpathDirectory);
                if (directory == null) {
                    throw new IllegalStateException("No " + classpathDirectory + " on the classpath");
                }
                files.setBaseResource(directory);
                files.setCacheControl(caching.cacheControl);
                files.setEtags(true);
                files.setDirAllowed(false);
                files.setWelcomeFiles("index.html");
                files.setWelcomeMode(ResourceService.WelcomeMode.SERVE);
                files.setServer(getServer());
                // Managed from here on: stopped, and the jar let go, when the server stops.
                setHandler(files);
                if (!files.isStarted()) {
                    files.start();
                }
                base = directory;
            }
            return base;
        }
    }

    /** The classpath directory {@code classpathDirectory} at {@code urlPrefix}, its index.html at the prefix. */
    static StaticFiles directory(String urlPrefix, String classpathDirectory, Caching caching) {
        return new StaticFiles(classpathDirectory, caching, path -> path.length() > urlPrefix.length()
                ? path.substring(urlPrefix.length()) : "/");
    }

    /** One file of {@code classpathDirectory}, {@code name}, under one path, such as /favicon.ico. */
    static StaticFiles file(String classpathDirectory, String name, Caching caching) {
        return new StaticFiles(classpathDirectory, caching, path -> "/" + name);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            RequestReader.discardRest(request);
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            JsonAnswers.json(response, callback, 405, JsonAnswers.JSON_TYPE, JsonAnswers.error("METHOD_NOT_ALLOWED",
                    "Pages and their files are read with GET."));
            return true;
        }
        String path = toResourcePath.apply(request.getHttpURI().getPath());
        if (!servable(base(), path)) {
            // A directory is no page: Jetty would list it (403) or redirect to its path with a slash.
            Response.writeError(request, response, callback, 404);
            return true;
        }
        HttpURI uri = HttpURI.build(request.getHttpURI()).path(path);
        // The server's own context: the routes' PathMappingsHandler has none for the files to be relative to.
        Context root = request.getConnectionMetaData().getConnector().getServer().getContext();
        if (super.handle(new Request.Wrapper(request) {
            @Override
            public HttpURI getHttpURI() {
                return uri;
            }

            @Override
            public Context getContext() {
                return root;
            }
        }, response, callback)) {
            return true;
        }
        Response.writeError(request, response, callback, 404);
        return true;
    }

    /** A file, or a directory asked for with its slash that has an index.html. */
    private static boolean servable(Resource base, String path) {
        Resource resource = base.resolve(path);
        return Resources.isReadableFile(resource) || path.endsWith("/") && Resources.isReadableDirectory(resource)
                && Resources.isReadableFile(resource.resolve("index.html"));
    }

    private static MimeTypes types() {
        MimeTypes.Mutable types = new MimeTypes.Mutable();
        types.addMimeMapping("html", "text/html;charset=utf-8");
        types.addMimeMapping("js", "text/javascript;charset=utf-8");
        types.addMimeMapping("css", "text/css;charset=utf-8");
        types.addMimeMapping("map", "application/json;charset=utf-8");
        types.addMimeMapping("svg", "image/svg+xml");
        return types;
    }
}
