package dev.hiringkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PgBouncer (Debian's, {@code /usr/sbin/pgbouncer}) in transaction pool mode in front of one
 * PostgreSQL database, as a deployment puts it: every transaction may run on another server session,
 * so whatever a client leaves in a session (a session advisory lock, a {@code SET}, a {@code LISTEN}, a
 * named prepared statement) is lost or seen by another client. The pool is small ({@value #POOL_SIZE}
 * server sessions) so that such bugs show in a test instead of hiding behind one session per client.
 *
 * <pre>{@code
 * try (TestPgBouncer bouncer = TestPgBouncer.start(TestPgBouncer.class, "localhost", 5432, "db", "postgres", "postgres")) {
 *     DataSource pooled = ... bouncer.jdbcUrl() ...;
 * }
 * }</pre>
 *
 * The clients trust PgBouncer ({@code auth_type = any}: it does not check who connects, on a loopback
 * port of a test); PgBouncer logs in to PostgreSQL with the user and password given. Where PgBouncer is
 * missing the calling test class is skipped, or failed in CI ({@link TestTools}).
 */
public final class TestPgBouncer implements AutoCloseable {

    /** Server sessions per database and user: small, so session state leaks between clients quickly. */
    public static final int POOL_SIZE = 3;

    private static final String PROGRAM = "/usr/sbin/pgbouncer";

    private final Path directory;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Process process;

    private TestPgBouncer(Path directory, int port, String database, String user, String password, Process process) {
        this.directory = directory;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.process = process;
    }

    /**
     * Starts PgBouncer in transaction mode on a free loopback port in front of {@code database} on
     * {@code host:port}, and waits until it accepts connections. {@code test} is the calling test
     * class, skipped (failed in CI) where PgBouncer is not installed.
     */
    public static TestPgBouncer start(Class<?> test, String host, int port, String database, String user,
            String password) {
        Path program = TestTools.require(test, PROGRAM, "pgbouncer");
        try {
            Path directory = Files.createTempDirectory("pgbouncer");
            int listenPort = freePort();
            Files.writeString(directory.resolve("userlist.txt"), quoted(user) + " " + quoted(password == null ? "" : password) + "\n",
                    StandardCharsets.UTF_8);
            Files.writeString(directory.resolve("pgbouncer.ini"), ini(directory, listenPort, host, port, database, user, password),
                    StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>();
            // PgBouncer refuses to run as root; as root (a container, CI), run it in a user namespace of
            // its own, where it is nobody, as the embedded PostgreSQL does.
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("unshare", "-U"));
            }
            command.add(program.toString());
            command.add(directory.resolve("pgbouncer.ini").toString());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("pgbouncer.out").toFile())
                    .start();
            TestPgBouncer bouncer = new TestPgBouncer(directory, listenPort, database, user, password, process);
            bouncer.awaitListening(Duration.ofSeconds(10));
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PgBouncer", e);
        }
    }

    /** Starts PgBouncer in front of a database of the test JVM's server ({@link TestDatabase#server()}). */
    public static TestPgBouncer start(Class<?> test, String database) {
        TestDatabase.Server server = TestDatabase.server();
        String rest = server.jdbcUrl().substring("jdbc:postgresql://".length());
        String hostPort = rest.substring(0, rest.indexOf('/'));
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port = colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
        return start(test, host, port, database, server.user(), server.password());
    }

    /**
     * The JDBC URL of the database through PgBouncer, with the user and password in it, and the one
     * driver setting transaction pooling needs: {@code prepareThreshold=0}, so pgJDBC never names a
     * server-side prepared statement (PgBouncer 1.18 does not carry them from one session to another).
     */
    public String jdbcUrl() {
        return plainJdbcUrl() + "&prepareThreshold=0";
    }

    /**
     * The JDBC URL through PgBouncer with the driver's defaults, for code that sets what transaction
     * pooling needs itself (or for a test showing what happens when nobody does).
     */
    public String plainJdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + user
                + (password == null ? "" : "&password=" + password);
    }

    /** The loopback port PgBouncer listens on. */
    public int port() {
        return port;
    }

    /** PgBouncer's log so far, for a failing test's message. */
    public String log() {
        try {
            Path log = directory.resolve("pgbouncer.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(could not read the log: " + e + ")";
        }
    }

    /** Stops PgBouncer (every client connection ends) and removes its directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }

    private static String ini(Path directory, int listenPort, String host, int port, String database, String user,
            String password) {
        return String.join("\n",
                "[databases]",
                database + " = host=" + host + " port=" + port + " dbname=" + database + " user=" + user
                        + (password == null || password.isEmpty() ? "" : " password=" + password),
                "",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + listenPort,
                // no Unix socket: two PgBouncers of two test JVMs would fight over /tmp/.s.PGSQL.<port>
                "unix_socket_dir =",
                "pidfile = " + directory.resolve("pgbouncer.pid"),
                "logfile = " + directory.resolve("pgbouncer.log"),
                "auth_type = any",
                "auth_file = " + directory.resolve("userlist.txt"),
                "pool_mode = transaction",
                "default_pool_size = " + POOL_SIZE,
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                "max_client_conn = 400",
                // what pgJDBC sends at start-up that PgBouncer does not track itself
                "ignore_startup_parameters = extra_float_digits,options",
                "server_check_delay = 0",
                "log_connections = 0",
                "log_disconnections = 0",
                "");
    }

    private void awaitListening(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    String output;
                    try {
                        output = Files.readString(directory.resolve("pgbouncer.out")) + log();
                    } catch (IOException e) {
                        output = log();
                    }
                    close();
                    throw new IllegalStateException("PgBouncer did not start on port " + port + ": " + output);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
