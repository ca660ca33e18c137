package dev.hiringkit.server.graphql;

import dev.hiringkit.Table;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.Job;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.server.observability.HiringMetrics;
import graphql.schema.DataFetchingEnvironment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code ingest} mutation: a batch of new rows for the three tables, in one transaction. */
final class IngestFetcher {

    /** What an ingest did to one table, as the TableOutcome type reads it. */
    public record TableOutcome(Table table, int inserted, List<BatchResult.RejectedRow> rejected) {
    }

    private final HiringRepository repository;
    private final IdempotencyKeys keys;
    private final HiringMetrics metrics;

    IngestFetcher(HiringRepository repository, IdempotencyKeys keys, HiringMetrics metrics) {
        this.repository = repository;
        this.keys = keys;
        this.metrics = metrics;
    }

    BatchResult ingest(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        Batch.Builder batch = Batch.builder().allOrNothing(Boolean.TRUE.equals(input.get("allOrNothing")))
                .madeBy(AccessPolicy.madeBy(env));
        rows(input, "departments").forEach(m -> batch.add(new Department(integer(m, "id"), (String) m.get("department"))));
        rows(input, "jobs").forEach(m -> batch.add(new Job(integer(m, "id"), (String) m.get("job"))));
        IngestRows.addHiredEmployees(batch, input);
        Optional<String> key = IdempotencyKeys.of(env);
        Batch built = batch.build();
        BatchResult result = repository.insert(key.map(built::withIdempotencyKey).orElse(built));
        keys.answered(env, key, result.replayed());
        if (!result.replayed()) {
            metrics.batch(result);
        }
        return result;
    }

    /** IngestResult.tables: the tables the batch had rows for, in the tables' order. */
    static List<TableOutcome> tables(DataFetchingEnvironment env) {
        BatchResult result = env.getSource();
        return Arrays.stream(Table.values()).filter(result.tables()::containsKey).map(table -> {
            BatchResult.TableOutcome outcome = result.tables().get(table);
            return new TableOutcome(table, outcome.inserted(), outcome.rejected());
        }).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> input, String key) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) input.get(key);
        return rows == null ? List.of() : rows;
    }

    private static Integer integer(Map<String, Object> row, String key) {
        return (Integer) row.get(key);
    }
}
