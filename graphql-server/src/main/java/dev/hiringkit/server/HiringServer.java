package dev.hiringkit.server;

import dev.hiringkit.server.http.Routes;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * The HiringKit server: GraphQL at {@code /graphql}, {@code /token}, GraphiQL at {@code /graphiql} and
 * {@code /health} ({@code /health/live}, {@code /health/ready}), on Jetty. It keeps no state of its own
 * that another instance could need: several instances serve one database, and each stops gracefully
 * (see {@link GracefulStop}).
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
        GracefulHandler requests = new GracefulHandler();
        GracefulStop stop = new GracefulStop(config.shutdownGrace(), config.drainDelay(), requests);
        server.setHandler(Routes.handler(config, stop, requests));
        server.setErrorHandler(Routes.errorHandler(stop));
        server.addBean(config.auth().changeListener());
        // Runs the stop's sequence (GracefulStop) before Jetty closes the connectors. Jetty's own graceful
        // wait (a stop timeout) is left off: it is done by then, and Jetty's would also wait for idle
        // keep-alive connections to close, which only their idle timeout (30 s) does.
        server.addBean(stop);
        server.addEventListener(stop);
        server.setStopAtShutdown(true);
        return server;
    }

    /** The stop of a server made by {@link #newServer}: whether it is stopping, for metrics and the like. */
    public static GracefulStop gracefulStop(Server server) {
        return server.getBean(GracefulStop.class);
    }

    /** The port a started server listens on. */
    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }
}
