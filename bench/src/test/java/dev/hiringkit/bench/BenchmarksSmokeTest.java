package dev.hiringkit.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/**
 * Runs each benchmark end to end on a small data set, so that none of them rots between the runs
 * that matter. No timing is asserted: the numbers only mean something at full size.
 */
class BenchmarksSmokeTest {

    @Test
    void theLoadBenchmarkRuns() {
        assertDoesNotThrow(() -> LoadBenchmark.run(20_000, 1));
    }

    @Test
    void theIngestBenchmarkRuns() {
        assertDoesNotThrow(() -> IngestBenchmark.run(4, 2));
    }

    @Test
    void theArchiveBenchmarkRuns() {
        assertDoesNotThrow(() -> ArchiveBenchmark.run(20_000, 1));
    }

    @Test
    void theReportsBenchmarkRuns() {
        assertDoesNotThrow(() -> ReportsBenchmark.run(20_000, 1));
    }
}
