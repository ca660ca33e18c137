package dev.hiringkit.server;

import dev.hiringkit.server.http.Routes;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The HiringKit server: GraphQL at {@code /graphql}, {@code /token}, GraphiQL at {@code /graphiql} and
 * {@code /health} ({@code /health/live}, {@code /health/ready}), on Jetty; {@code /metrics} on a port of its
 * own when one is configured. It keeps no state of its own that another instance could need: several
 * instances serve one database, and each stops gracefully (see {@link GracefulStop}).
 */
public final class HiringServer {

    private HiringServer() {
    }

    /** A server ready to {@code start()}; it listens on {@code config.port()} (0: any free port). */
    public static Server newServer(ServerConfig config) {
        config.metrics().backups(() -> config.kit().archiver().list());
        config.metrics().replica(config.kit()::replicaStatus);
        // The routes (the GraphQL schema) first: hiring serve meanwhile readies Jetty's server classes on
        // another thread (ServeCommand).
        GracefulHandler requests = new GracefulHandler();
        GracefulStop stop = new GracefulStop(config.shutdownGrace(), config.drainDelay(), requests);
        Handler routes = Routes.handler(config, stop, requests);
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        // No "Server: Jetty(12.x)" header: the version tells an attacker which advisories apply.
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        if (config.metricsPort() >= 0) {
            ServerConnector metrics = new ServerConnector(server, new HttpConnectionFactory(http));
            metrics.setName(Routes.METRICS_CONNECTOR);
            metrics.setHost(config.host());
            metrics.setPort(config.metricsPort());
            server.addConnector(metrics);
            routes = new ByConnector(routes, Routes.metrics(config));
        }
        server.setHandler(routes);
        server.setErrorHandler(Routes.errorHandler(stop));
        server.addBean(config.auth().changeListener());
        // Runs the stop's sequence (GracefulStop) before Jetty closes the connectors. Jetty's own graceful
        // wait (a stop timeout) is left off: it is done by then, and Jetty's would also wait for idle
        // keep-alive connections to close, which only their idle timeout (30 s) does.
        server.addBean(stop);
        server.addEventListener(stop);
        server.addEventListener(new LifeCycle.Listener() {
            // The pool's meters when the server starts, not when it is built: hiring serve builds it while
            // another thread starts the pool (ServeCommand), whose meters must not be set meanwhile.
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                config.metrics().database(config.dataSource());
            }

            @Override
            public void lifeCycleStopped(LifeCycle event) {
                config.metrics().close();
            }
        });
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

    /** The port a started server serves {@code /metrics} on, or -1 when it has no metrics port. */
    public static int metricsPort(Server server) {
        for (Connector connector : server.getConnectors()) {
            if (Routes.METRICS_CONNECTOR.equals(connector.getName())) {
                return ((ServerConnector) connector).getLocalPort();
            }
        }
        return -1;
    }

    /** The metrics port's requests to the metrics handler, every other request to the routes. */
    private static final class ByConnector extends Handler.Wrapper {
        private final Handler metrics;

        ByConnector(Handler routes, Handler metrics) {
            super(routes);
            this.metrics = metrics;
            addBean(metrics);
        }

        @Override
        public void setServer(Server server) {
            super.setServer(server);
            metrics.setServer(server);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (Routes.METRICS_CONNECTOR.equals(request.getConnectionMetaData().getConnector().getName())) {
                return metrics.handle(request, response, callback);
            }
            return super.handle(request, response, callback);
        }
    }
}
