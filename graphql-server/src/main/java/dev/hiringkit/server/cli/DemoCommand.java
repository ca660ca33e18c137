package dev.hiringkit.server.cli;

import dev.hiringkit.Table;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hiring demo}: generates a data set and loads it, to see HiringKit work end to end. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generates a data set with some defective rows into <data-dir>/demo, loads it into the",
                "database (embedded by default) and prints what was inserted and what was refused and why."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--employees", defaultValue = "100000", description = "Hired employees to generate (default: ${DEFAULT-VALUE}).")
    long employees;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = database.dataDir.resolve("demo");
        GenerateCommand.generate(dir, employees, 42, 0.02);
        out.println("Generated a data set in " + dir.toAbsolutePath().normalize());
        try (HiringRuntime runtime = HiringRuntime.start(database)) {
            out.println("Database: " + runtime.describeDatabase());
            out.flush();
            List<LoadResult> results = runtime.kit().repository().loadDirectory(dir,
                    LoadOptions.builder().madeBy(HiringRuntime.madeBy()).build());
            LoadCommand.printSummary(out, results);
            out.println();
            out.printf("The tables now hold %d departments, %d jobs and %d hired employees.%n",
                    runtime.kit().repository().count(Table.DEPARTMENTS), runtime.kit().repository().count(Table.JOBS),
                    runtime.kit().repository().count(Table.HIRED_EMPLOYEES));
            out.println("Run it again: the load changes nothing, every row is a DUPLICATE_ID.");
            out.flush();
        }
        return 0;
    }
}
