package dev.hiringkit.bench;

import java.time.Duration;
import java.util.List;

/**
 * What the cluster test relies on that other parts of the project define: the server's paths, headers and
 * options, kept in one place so that a rename is one edit here.
 */
final class ClusterNames {

    private ClusterNames() {
    }

    /** 200 when an instance takes work; 503 while it stops or its database is down. HAProxy checks it. */
    static final String READY_PATH = "/health/ready";

    /** The request header that makes a retried mutation run once. */
    static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    /** The response header of an answer replayed from an earlier run of the same key ({@code true}). */
    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    /** The rejection code a retry without idempotency would produce, 1000 times a batch. */
    static final String DUPLICATE_ID = "DUPLICATE_ID";

    /** {@code hiring serve}'s option naming the hot standby that reports and lookups read from. */
    static final String READ_URL_OPTION = "--db-read-url";

    /** {@code hiring serve}'s option bounding how long a SIGTERM waits for requests in flight. */
    static final String SHUTDOWN_GRACE_OPTION = "--shutdown-grace";

    /** The grace given, as {@link #SHUTDOWN_GRACE_OPTION}'s value; the harness waits this plus a margin. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    /** How {@link #SHUTDOWN_GRACE} is written on the command line. */
    static String shutdownGraceValue() {
        return Long.toString(SHUTDOWN_GRACE.toSeconds());
    }

    /**
     * {@code hiring serve}'s option saying what {@code --db-url} reaches; {@link #POOLER_SERVE_OPTIONS} tell
     * it that it is PgBouncer in transaction mode (no server-side prepared statements, no session state).
     */
    static final String POOLER_OPTION = "--db-pooler";
    static final List<String> POOLER_SERVE_OPTIONS = List.of(POOLER_OPTION, "transaction");

    /** The HAProxy configuration, relative to the repository: the one documented is the one tested. */
    static final String HAPROXY_CONFIG = "deploy/haproxy.cfg";

    /** The PgBouncer configuration, relative to the repository, run with its addresses and paths replaced (see DeployedPgBouncer). */
    static final String PGBOUNCER_CONFIG = "deploy/pgbouncer.ini";

    /**
     * {@code hiring serve}'s option naming a direct connection to the primary for LISTEN, beside the pooled
     * one, as {@link #PGBOUNCER_CONFIG} says to run it.
     */
    static final String LISTEN_URL_OPTION = "--db-listen-url";

    /** The addresses in {@link #HAPROXY_CONFIG} that the harness replaces by the ones it picked. */
    static final String HAPROXY_EXAMPLE_FRONTEND = "*:8080";
    static final String HAPROXY_EXAMPLE_STATS = "127.0.0.1:8404";
    static final List<String> HAPROXY_EXAMPLE_SERVERS = List.of("127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083");

    /** The backend and server names of {@link #HAPROXY_CONFIG}, as its statistics list them. */
    static final String HAPROXY_BACKEND = "hiring";
    static final List<String> HAPROXY_SERVER_NAMES = List.of("hiring1", "hiring2", "hiring3");

    /** Debian's programs. */
    static final String HAPROXY = "/usr/sbin/haproxy";
    static final String PGBOUNCER = "/usr/sbin/pgbouncer";
}
