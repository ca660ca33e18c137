package dev.hiringkit.server.cli;

import dev.hiringkit.testdata.DataGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hiring generate}: a synthetic data set in exactly the challenge's CSV format. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Writes departments.csv, jobs.csv and hired_employees.csv in the challenge's format:",
                "12 departments, about 180 jobs, hires over several years, and, with --invalid-ratio,",
                "employee rows with each kind of defect. The same seed gives the same files."})
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Directory to write the three files into.")
    Path out;

    @Option(names = "--employees", defaultValue = "10000", description = "Hired employees to write (default: ${DEFAULT-VALUE}).")
    long employees;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--invalid-ratio", defaultValue = "0.0", description = "Share of employee rows with a defect, 0 to 1 (default: ${DEFAULT-VALUE}).")
    double invalidRatio;

    @Override
    public Integer call() throws IOException {
        if (invalidRatio < 0 || invalidRatio > 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--invalid-ratio must be between 0 and 1");
        }
        DataGenerator.Summary summary = generate(out, employees, seed, invalidRatio);
        PrintWriter writer = spec.commandLine().getOut();
        writer.printf("Wrote %d departments, %d jobs and %d hired employees (%d with a defect) to %s%n",
                summary.departments(), summary.jobs(), summary.employees(), summary.invalidEmployees(),
                out.toAbsolutePath().normalize());
        summary.invalidByKind().forEach((kind, count) -> writer.printf("  %-20s %d%n", kind, count));
        writer.flush();
        return 0;
    }

    static DataGenerator.Summary generate(Path out, long employees, long seed, double invalidRatio) throws IOException {
        return DataGenerator.builder().employees(employees).seed(seed).invalidRatio(invalidRatio).build().writeTo(out);
    }
}
