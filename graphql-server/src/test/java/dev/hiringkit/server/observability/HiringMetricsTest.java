package dev.hiringkit.server.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.Table;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadProgress;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.LoadStatus;
import dev.hiringkit.validation.ReasonCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The meters of a load while it runs and once it ended, and the replay counter the idempotency layer calls. */
class HiringMetricsTest {

    @Test
    void aRunningLoadIsCountedWithItsProgressThenItsRows() {
        HiringMetrics metrics = HiringMetrics.create();
        AtomicReference<UUID> recorded = new AtomicReference<>();
        List<Long> updates = new ArrayList<>();
        LoadProgress hook = new LoadProgress() {
            @Override
            public void update(long bytesRead, long totalBytes, long rowsRead) {
                updates.add(rowsRead);
            }

            @Override
            public void recorded(UUID loadId) {
                recorded.set(loadId);
            }
        };
        UUID id = UUID.randomUUID();
        List<String> during = new ArrayList<>();
        metrics.observed(options -> {
            options.progress().started(Table.JOBS, "jobs.csv", 1000);
            options.progress().recorded(id);
            options.progress().update(400, 1000, 20);
            during.add(metrics.scrape());
            return List.of(new LoadResult(id, Table.JOBS, "jobs.csv", LoadStatus.DONE, 50, 47, 3,
                    Map.of(ReasonCode.DUPLICATE_ID, 2L, ReasonCode.MISSING_FIELD, 1L), Optional.empty(), Duration.ZERO,
                    Optional.empty()));
        }).apply(LoadOptions.builder().progress(hook).build());

        assertEquals(id, recorded.get(), "the load's own hook is still told");
        assertEquals(List.of(20L), updates);
        String running = during.get(0);
        assertTrue(running.contains("\nhiring_loads_running 1.0\n"), running);
        assertTrue(running.contains("\nhiring_load_read_bytes 400.0\n"), running);
        assertTrue(running.contains("\nhiring_load_source_bytes 1000.0\n"), running);
        assertTrue(running.contains("\nhiring_load_read_rows 20.0\n"), running);

        metrics.replayed("ingest");
        String after = metrics.scrape();
        assertTrue(after.contains("\nhiring_loads_running 0.0\n"), after);
        assertTrue(after.contains("hiring_loads_total{status=\"DONE\",table=\"JOBS\"} 1.0"), after);
        assertTrue(after.contains("hiring_rows_inserted_total{table=\"JOBS\",via=\"load\"} 47.0"), after);
        assertTrue(after.contains("hiring_rows_rejected_total{table=\"JOBS\",via=\"load\"} 3.0"), after);
        assertTrue(after.contains("hiring_rejection_reasons_total{code=\"DUPLICATE_ID\",table=\"JOBS\",via=\"load\"} 2.0"),
                after);
        assertTrue(after.contains("hiring_idempotent_replays_total{operation=\"ingest\"} 1.0"), after);
        assertTrue(after.contains("hiring_idempotent_replays_total{operation=\"restore\"} 0.0"), after);
    }
}
