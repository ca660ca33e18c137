package dev.hiringkit.server.cli;

import dev.hiringkit.repository.LoadResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hiring loads}: the recorded historical loads, newest first, with their status and totals. */
@Command(name = "loads", mixinStandardHelpOptions = true,
        description = {"Lists recorded loads, newest first.", "",
                "A load shown RUNNING or FAILED was interrupted: load the same file again to resume it."})
final class LoadsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many loads (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (HiringRuntime runtime = HiringRuntime.start(database)) {
            List<LoadResult> loads = runtime.kit().repository().loads(limit);
            TextTable table = new TextTable("id", "table", "status", "read", "inserted", "rejected", "made by", "source");
            loads.forEach(l -> table.row(l.loadId(), l.table().sqlName(), l.status(), l.rowsRead(), l.inserted(),
                    l.rejected(), l.madeBy().orElse("-"), l.source()));
            if (table.isEmpty()) {
                out.println("No loads yet.");
            } else {
                table.print(out);
            }
            out.flush();
        }
        return 0;
    }
}
