package dev.hiringkit.server.graphql;

import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Page;
import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.Rejection;
import dev.hiringkit.repository.RejectionPage;
import dev.hiringkit.server.graphql.Connections.Connection;
import dev.hiringkit.server.graphql.Connections.Edge;
import graphql.schema.DataFetchingEnvironment;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The queries that read rows: the three tables a page at a time, the rejections log, the loads. The
 * library's records are the answers; graphql-java reads their fields by name.
 */
final class LookupFetchers {

    private final HiringRepository repository;

    LookupFetchers(HiringRepository repository) {
        this.repository = repository;
    }

    Connection<Department> departments(DataFetchingEnvironment env) {
        return page(env, repository::departments, Department::id);
    }

    Connection<Job> jobs(DataFetchingEnvironment env) {
        return page(env, repository::jobs, Job::id);
    }

    Connection<HiredEmployee> hiredEmployees(DataFetchingEnvironment env) {
        return page(env, repository::hiredEmployees, HiredEmployee::id);
    }

    private static <T> Connection<T> page(DataFetchingEnvironment env, BiFunction<Integer, Integer, Page<T>> fetch,
            Function<T, Integer> id) {
        int first = Arguments.limit(env, "first");
        return Connections.byId(fetch.apply(Connections.afterId(env.getArgument("after")), first), id);
    }

    /** A page of the rejections log; its cursors are log positions, as the other connections' are ids. */
    Connection<Rejection> rejections(DataFetchingEnvironment env) {
        String loadId = env.getArgument("loadId");
        int first = Arguments.limit(env, "first");
        Long after = Connections.afterLogPosition(env.getArgument("after"));
        RejectionPage page = repository.rejections(loadId == null ? null : Arguments.uuid("loadId", loadId),
                env.getArgument("source"), after, first);
        return Connections.of(page.entries().stream()
                .map(e -> new Edge<>(Connections.logCursor(e.position()), e.rejection())).toList(), page.hasNext());
    }

    List<LoadResult> loads(DataFetchingEnvironment env) {
        return repository.loads(Arguments.limit(env, "limit"));
    }
}
