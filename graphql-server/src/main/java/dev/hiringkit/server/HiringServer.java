package dev.hiringkit.server;

import dev.hiringkit.server.http.Routes;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The HiringKit server: GraphQL at {@code /graphql}, {@code /token}, GraphiQL at {@code /graphiql} and
 * {@code /health}, on Jetty. It keeps no state of its own beyond a sign-in throttle: several instances
 * can serve one database.
 */
public final class HiringServer {

    private HiringServer() {
    }

    /** A server ready to {@code start()}; it listens on {@code config.port()} (0: any free port). */
    public static Server newServer(ServerConfig config) {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        // No "Server: Jetty(12.x)" header: the version tells an attacker which advisories apply.
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setHandler(Routes.handler(config));
        server.setErrorHandler(Routes.errorHandler());
        server.addBean(config.auth().changeListener());
        server.setStopAtShutdown(true);
        return server;
    }

    /** The port a started server listens on. */
    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }
}
