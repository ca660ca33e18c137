package dev.hiringkit.server.cli;

import dev.hiringkit.repository.Rejection;
import dev.hiringkit.validation.Violation;
import java.io.PrintWriter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hiring rejections}: the records that broke a data rule, with their reasons. */
@Command(name = "rejections", mixinStandardHelpOptions = true,
        description = "Lists rejected records: of one load or batch, of one source, or the most recent.")
final class RejectionsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--load", description = "The id of a load or batch, as 'hiring load' prints it.")
    UUID load;

    @Option(names = "--source", description = "The source: a file's absolute path, or 'batch'.")
    String source;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many records, for --source or recent ones (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (HiringRuntime runtime = HiringRuntime.start(database)) {
            List<Rejection> rejections = load != null ? runtime.kit().repository().rejections(load)
                    : runtime.kit().repository().recentRejections(source, limit);
            TextTable table = new TextTable("table", "line", "reasons", "record");
            for (Rejection r : rejections) {
                table.row(r.table().sqlName(), r.recordNumber(), r.reasons().stream()
                        .map(Violation::code).map(Enum::name).distinct().collect(Collectors.joining(",")),
                        r.rawRecord().replace("\r", "\\r").replace("\n", "\\n"));
            }
            if (table.isEmpty()) {
                out.println("No rejected records.");
            } else {
                table.print(out);
                out.println(rejections.size() + " rejected records.");
            }
            out.flush();
        }
        return 0;
    }
}
