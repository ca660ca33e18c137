package dev.hiringkit.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster test ({@code bench/run-cluster}): three {@code hiring serve} instances behind HAProxy, on a
 * PostgreSQL primary behind PgBouncer in transaction mode with a streaming standby for reads, the archive
 * in S3. Clients send 1000-row batches with idempotency keys and retry every failure, first through one
 * instance, then three, then while instances are killed and stopped and the primary restarts; then it
 * checks that every batch was applied exactly once, that the standby's reports equal the primary's and
 * that a backup taken during the run restores. It prints what the clients saw and exits 1 when a check
 * fails.
 */
public final class ClusterBenchmark {

    /**
     * The options: clients; batches of the chaos phase and their pace (batches a second over all clients);
     * seconds of each steady phase (0: none).
     */
    record Options(int clients, int batches, double rate, int steadySeconds) {

        /**
         * 150 batches at 5 a second: about a quarter of what three instances take on 2 cores, so that a
         * restarted JVM starts in seconds rather than a minute, and the chaos phase lasts about 40 s.
         */
        static Options defaults() {
            return new Options(8, 150, 5, 20);
        }

        static Options parse(String[] args) {
            Options o = defaults();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--clients" -> o = new Options(Integer.parseInt(args[++i]), o.batches, o.rate, o.steadySeconds);
                    case "--batches" -> o = new Options(o.clients, Integer.parseInt(args[++i]), o.rate, o.steadySeconds);
                    case "--rate" -> o = new Options(o.clients, o.batches, Double.parseDouble(args[++i]), o.steadySeconds);
                    case "--steady-seconds" -> o = new Options(o.clients, o.batches, o.rate, Integer.parseInt(args[++i]));
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]
                            + " (expected --clients N, --batches N, --rate BATCHES_PER_SECOND, --steady-seconds S)");
                }
            }
            return o;
        }
    }

    /** The phases' figures and the checks' outcomes. */
    record Result(List<LoadStats> phases, List<ClusterChecks.Check> checks) {

        boolean passed() {
            return checks.stream().allMatch(ClusterChecks.Check::passed);
        }
    }

    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path repository = Path.of(System.getProperty("hiring.root", "."));
        Path jar = Path.of(System.getProperty("hiring.jar", repository.resolve("graphql-server/target/hiring.jar").toString()));
        Result result;
        try {
            result = run(repository, jar, options, System.out);
        } catch (Exception e) {
            System.err.println("The cluster test could not run: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(result.passed() ? 0 : 1);
    }

    /** Starts the cluster, runs the phases and the checks, prints them and stops everything. */
    static Result run(Path repository, Path jar, Options options, PrintStream out) throws Exception {
        long start = System.nanoTime();
        out.println("Cluster test: " + options.clients() + " clients, batches of " + ClusterBatches.ROWS + " rows");
        try (Cluster cluster = Cluster.start(repository, jar)) {
            out.printf("Started in %.1f s: PostgreSQL primary, standby, PgBouncer (%s), S3Proxy, HAProxy (%s) at %s, hiring1%n",
                    (System.nanoTime() - start) / 1e9, ClusterNames.PGBOUNCER_CONFIG, ClusterNames.HAPROXY_CONFIG,
                    cluster.uri());
            ApiClient api = cluster.client();
            List<LoadStats> phases = new ArrayList<>();
            AtomicInteger next = new AtomicInteger();
            LoadStats setup = new LoadStats("setup");
            IngestLoad.setup(api, setup);

            if (options.steadySeconds() > 0) {
                phases.add(steady("1 instance", cluster, api, options, next, out));
            }
            cluster.startOthers();
            out.println("hiring2 and hiring3 started and in rotation");
            if (options.steadySeconds() > 0) {
                phases.add(steady("3 instances", cluster, api, options, next, out));
            }

            LoadStats chaotic = new LoadStats("chaos");
            int first = next.get();
            Chaos chaos = new Chaos(cluster, api, options.batches(), () -> chaotic.acknowledged.size(), chaotic);
            out.printf("Chaos phase: %d batches or more, until every step is done, %.1f batches a second%n",
                    options.batches(), options.rate());
            Thread chaosThread = new Thread(chaos, "chaos");
            chaosThread.start();
            long paceStart = System.nanoTime();
            IngestLoad.run(api, options.clients(), () -> {
                if (next.get() - first >= options.batches() && chaos.done) {
                    return -1;
                }
                int b = next.getAndIncrement();
                long due = paceStart + (long) ((b - first) * 1e9 / options.rate());
                try {
                    Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
                return b;
            }, chaotic);
            chaosThread.join();
            phases.add(chaotic);
            print(chaotic, out);

            out.println("Checking...");
            ClusterChecks checks = new ClusterChecks(cluster);
            checks.run(phases, chaos);
            Result result = new Result(phases, checks.checks());
            summary(result, out);
            out.printf("Total time %.0f s%n", (System.nanoTime() - start) / 1e9);
            return result;
        }
    }

    private static LoadStats steady(String name, Cluster cluster, ApiClient api, Options options, AtomicInteger next,
            PrintStream out) throws InterruptedException {
        LoadStats stats = new LoadStats(name);
        long end = System.nanoTime() + Duration.ofSeconds(options.steadySeconds()).toNanos();
        IngestLoad.run(api, options.clients(), () -> System.nanoTime() < end ? next.getAndIncrement() : -1, stats);
        print(stats, out);
        return stats;
    }

    private static void print(LoadStats stats, PrintStream out) {
        out.printf("%-12s %5d batches acknowledged in %5.1f s: %,8.0f rows/s; %d retries, %d idempotent replays; errors: %s%n",
                stats.phase, stats.acknowledged.size(), stats.elapsed().toNanos() / 1e9, stats.rowsPerSecond(),
                stats.retries.sum(), stats.replays.sum(), stats.errorSummary());
    }

    private static void summary(Result result, PrintStream out) {
        out.println();
        out.println("phase         batches   rows/s  retries  replays  errors seen by clients");
        for (LoadStats phase : result.phases()) {
            out.printf("%-12s %8d %8.0f %8d %8d  %s%n", phase.phase, phase.acknowledged.size(), phase.rowsPerSecond(),
                    phase.retries.sum(), phase.replays.sum(), phase.errorSummary());
        }
        out.println();
        for (ClusterChecks.Check check : result.checks()) {
            out.println((check.passed() ? "PASS " : "FAIL ") + check.name() + ": " + check.detail());
        }
        out.println(result.passed() ? "All checks passed." : "Some checks FAILED.");
    }
}
