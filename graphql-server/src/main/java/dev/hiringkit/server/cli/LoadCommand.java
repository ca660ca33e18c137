package dev.hiringkit.server.cli;

import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.s3.S3Location;
import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadProgress;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.validation.ReasonCode;
import java.io.PrintWriter;
import java.nio.file.Path;
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
                "its last committed chunk (a directory load, with the file it stopped in).", "",
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

    @Mixin
    IdempotencyKeyOption idempotency;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (source.table != null && file == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--table needs a FILE");
        }
        if (source.dir != null && file != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give either --dir or --table with a FILE");
        }
        String key = idempotency.key().orElse(null);
        List<LoadResult> results;
        try (HiringRuntime runtime = HiringRuntime.start(database); LoadBars bars = new LoadBars()) {
            LoadOptions options = LoadOptions.builder()
                    .header(LoadOptions.Header.valueOf(header.toUpperCase(java.util.Locale.ROOT)))
                    .chunkSize(chunkSize)
                    .restart(restart)
                    .madeBy(HiringRuntime.madeBy())
                    .idempotencyKey(key)
                    .progress(System.console() != null ? bars : LoadProgress.NONE)
                    .build();
            try {
                results = source.dir != null ? loadDirectory(runtime.kit().repository(), source.dir, options)
                        : List.of(load(runtime.kit().repository(), Table.fromName(source.table), file, options));
            } catch (HiringException e) {
                throw resumable(e);
            }
        }
        printSummary(out, results);
        return 0;
    }

    /**
     * A load that failed half-way keeps its committed chunks and, run again, resumes after them (and a
     * directory load skips the files it had loaded): the message says so.
     */
    private static HiringException resumable(HiringException e) {
        return switch (e.code()) {
            case DATABASE_UNAVAILABLE, DATABASE_ERROR, ARCHIVE_ERROR -> new HiringException(e.code(), e.getMessage()
                    + (e.getMessage().endsWith(".") ? "" : ".")
                    + " Run the same command again to resume.", e);
            default -> e;
        };
    }

    /** Loads departments.csv, jobs.csv and hired_employees.csv from a directory or an S3 prefix. */
    private static List<LoadResult> loadDirectory(HiringRepository repository, String dir, LoadOptions options) {
        if (S3Location.isS3(dir)) {
            return repository.loadDirectory(S3Location.parse(dir).asPrefix().toUri(), options);
        }
        return repository.loadDirectory(Path.of(dir), options);
    }

    /** Loads a local file or an S3 object. */
    private static LoadResult load(HiringRepository repository, Table table, String csv, LoadOptions options) {
        if (S3Location.isS3(csv)) {
            return repository.load(table, S3Location.parse(csv).toUri(), options);
        }
        return repository.load(table, Path.of(csv), options);
    }

    /**
     * A progress bar per file on a terminal. An S3 object's size is not known up front: its bar counts
     * bytes without an end.
     */
    private static final class LoadBars implements LoadProgress, AutoCloseable {
        private ProgressBar bar;

        @Override
        public void started(Table table, String source, long totalBytes) {
            close();
            bar = ProgressBar.builder()
                    .setTaskName(table.sqlName())
                    .setStyle(ProgressBarStyle.ASCII)
                    .setInitialMax(totalBytes == 0 ? 1 : totalBytes)
                    .setUnit(" MiB", 1 << 20)
                    .showSpeed()
                    .build();
        }

        @Override
        public void update(long bytesRead, long totalBytes, long rowsRead) {
            if (bar != null) {
                bar.stepTo(bytesRead);
                bar.setExtraMessage(rowsRead + " rows");
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
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
        List<String> replayed = results.stream().filter(LoadResult::replayed)
                .map(r -> r.table().sqlName() + " (" + r.status().name().toLowerCase(java.util.Locale.ROOT) + ")").toList();
        if (!replayed.isEmpty()) {
            out.println();
            out.println("Replayed: an earlier load with this --idempotency-key already loaded " + String.join(", ", replayed)
                    + "; the totals above are that load's, nothing was loaded again.");
        }
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
