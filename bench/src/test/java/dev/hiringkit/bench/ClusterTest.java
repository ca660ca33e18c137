package dev.hiringkit.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.testing.TestTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The cluster test's short form ({@code bench/run-cluster} is the long one): the same cluster, clients and
 * chaos, without the steady throughput phases and with fewer batches, about two minutes on 2 cores.
 * Skipped with a notice where HAProxy or PgBouncer is missing (failed in CI).
 */
class ClusterTest {

    /** 60 batches at 5 a second; the chaos steps (two JVM restarts, a primary restart) set the length. */
    private static final ClusterBenchmark.Options SHORT = new ClusterBenchmark.Options(8, 60, 5, 0);

    @Test
    void everyBatchIsAppliedOnceThroughKilledInstancesAndARestartedPrimary() throws Exception {
        TestTools.require(ClusterTest.class, ClusterNames.HAPROXY, "haproxy");
        TestTools.require(ClusterTest.class, ClusterNames.PGBOUNCER, "pgbouncer");
        Path jar = Path.of(System.getProperty("hiring.jar"));
        assertTrue(Files.isRegularFile(jar), "no server at " + jar + ": run ./mvnw verify from the top, which packages it first");

        ClusterBenchmark.Result result = ClusterBenchmark.run(Path.of(System.getProperty("hiring.root")), jar, SHORT, System.out);

        assertTrue(result.passed(), () -> result.checks().stream().filter(check -> !check.passed())
                .map(check -> check.name() + ": " + check.detail()).collect(Collectors.joining("\n")));
    }
}
