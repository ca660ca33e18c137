package dev.hiringkit.server.cli;

import dev.hiringkit.Table;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadProgress;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.validation.ReasonCode;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hiring load}: historical CSV files into the database, with a summary of what was refused. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Loads historical CSV files into the database.", "",
                "Every record is checked against the data rules; a record that breaks one is not inserted",
                "but logged with its reasons (see 'hiring rejections') and written to a rejects file in the",
                "archive. Loading a file again changes nothing; an interrupted load, run again, resumes after",
                "its last committed chunk.", "",
                "Files may be in S3: --dir s3://bucket/prefix/, or --table T s3://bucket/key",
                "(see --s3-endpoint)."})
final class LoadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--dir", paramLabel = "DIR|s3://bucket/prefix/",
                description = "A directory or S3 prefix with departments.csv, jobs.csv and hired_employees.csv, loaded in that order.")
        String dir;

        @Option(names = "--table", description = "The table FILE holds: departments, jobs or hired_employees.")
        String table;
    }

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The CSV file (a path or s3://bucket/key), with --table.")
    String file;

    @Option(names = "--header", defaultValue = "detect", description = "Whether files start with a header row: detect, present or absent (default: ${DEFAULT-VALUE}).")
    String header;

    @Option(names = "--chunk-size", defaultValue = "50000", description = "Records per committed transaction (default: ${DEFAULT-VALUE}).")
    int chunkSize;

    @Option(names = "--restart", description = "Start a new load even where an interrupted load of the same file could resume.")
    boolean restart;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (source.table != null && file == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--table needs a FILE");
        }
        if (source.dir != null && file != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give either --dir or --table with a FILE");
        }
        boolean terminal = System.console() != null;
        try (HiringRuntime runtime = HiringRuntime.start(database)) {
            List<LoadResult> results = new ArrayList<>();
            if (source.dir != null) {
                for (Table table : Table.values()) {
                    results.add(load(runtime, table, inDirectory(source.dir, table.fileName()), terminal));
                }
            } else {
                results.add(load(runtime, Table.fromName(source.table), file, terminal));
            }
            printSummary(out, results);
        }
        return 0;
    }

    private static String inDirectory(String dir, String fileName) {
        if (DatabaseOptions.isS3(dir)) {
            return (dir.endsWith("/") ? dir : dir + "/") + fileName;
        }
        return Path.of(dir).resolve(fileName).toString();
    }

    /** Loads a local file or an S3 object. */
    private static LoadResult load(HiringRuntime runtime, Table table, String csv, LoadOptions options) {
        if (DatabaseOptions.isS3(csv)) {
            return runtime.kit().repository().load(table, URI.create(csv), options);
        }
        return runtime.kit().repository().load(table, Path.of(csv), options);
    }

    private LoadResult load(HiringRuntime runtime, Table table, String csv, boolean terminal) {
        LoadOptions.Builder options = LoadOptions.builder()
                .header(LoadOptions.Header.valueOf(header.toUpperCase(java.util.Locale.ROOT)))
                .chunkSize(chunkSize)
                .restart(restart);
        if (!terminal) {
            return load(runtime, table, csv, options.build());
        }
        // An S3 object's size is not known up front: its bar counts bytes without an end.
        long size = DatabaseOptions.isS3(csv) ? -1 : Math.max(1, Path.of(csv).toFile().length());
        try (ProgressBar bar = ProgressBar.builder()
                .setTaskName(table.sqlName())
                .setStyle(ProgressBarStyle.ASCII)
                .setInitialMax(size)
                .setUnit(" MiB", 1 << 20)
                .showSpeed()
                .build()) {
            LoadProgress progress = (bytesRead, totalBytes, rowsRead) -> {
                bar.stepTo(bytesRead);
                bar.setExtraMessage(rowsRead + " rows");
            };
            return load(runtime, table, csv, options.progress(progress).build());
        }
    }

    static void printSummary(PrintWriter out, List<LoadResult> results) {
        TextTable totals = new TextTable("table", "read", "inserted", "rejected", "seconds");
        TextTable reasons = new TextTable("table", "reason", "records");
        for (LoadResult r : results) {
            totals.row(r.table().sqlName(), r.rowsRead(), r.inserted(), r.rejected(),
                    String.format(java.util.Locale.ROOT, "%.1f", r.duration().toMillis() / 1000.0));
            for (ReasonCode code : ReasonCode.values()) {
                Long count = r.rejectedByCode().get(code);
                if (count != null) {
                    reasons.row(r.table().sqlName(), code, count);
                }
            }
        }
        totals.print(out);
        if (!reasons.isEmpty()) {
            out.println();
            out.println("Rejected records by reason (a record with several reasons counts under each):");
            reasons.print(out);
            out.println();
            for (LoadResult r : results) {
                r.rejectsFile().ifPresent(f -> out.println("Rejects of " + r.table().sqlName() + ": " + f));
            }
            out.println("Each rejected record, with its line and reasons: hiring rejections --load <id>");
            for (LoadResult r : results) {
                if (r.rejected() > 0) {
                    out.println("  " + r.table().sqlName() + ": " + r.loadId());
                }
            }
        }
        out.flush();
    }
}
