package dev.hiringkit.server.http;

import dev.hiringkit.server.ServerConfig;
import dev.hiringkit.server.graphql.HiringGraphQL;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.PathMappingsHandler;

/** The server's paths and the handler of each. */
public final class Routes {

    private Routes() {
    }

    public static Handler handler(ServerConfig config) {
        PathMappingsHandler routes = new PathMappingsHandler();
        routes.addMapping(PathSpec.from("/graphql"), new GraphQLHandler(HiringGraphQL.build(config.kit(), config.auth(),
                config.loadRoot(), config.s3LoadRoot(), config.maxDepth(), config.maxComplexity()), config.auth(), config.maxBodyBytes(),
                config.maxUploadBytes(), config.introspection()));
        routes.addMapping(PathSpec.from("/token"), new TokenHandler(config.auth()));
        routes.addMapping(PathSpec.from("/health"), new HealthHandler(config.dataSource()));
        routes.addMapping(PathSpec.from("/graphiql/*"), new ClasspathHandler("/graphiql/",
                "dev/hiringkit/server/http/graphiql/"));
        routes.addMapping(PathSpec.from("/graphiql"), new ClasspathHandler("/graphiql", "dev/hiringkit/server/http/graphiql/"));
        routes.addMapping(PathSpec.from("/dashboard/*"), new ClasspathHandler("/dashboard/",
                "dev/hiringkit/server/http/dashboard/"));
        routes.addMapping(PathSpec.from("/dashboard"), new ClasspathHandler("/dashboard", "dev/hiringkit/server/http/dashboard/"));
        routes.addMapping(PathSpec.from("/webjars/*"), new ClasspathHandler("/webjars/", "META-INF/resources/webjars/"));
        return routes;
    }

    /** The answer when no route gives one, for {@code Server.setErrorHandler}: JSON, as from the routes. */
    public static Request.Handler errorHandler() {
        return new JsonErrorHandler();
    }
}
