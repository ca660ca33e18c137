package dev.hiringkit.server.cli;

import dev.hiringkit.HiringException;
import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.Table;
import dev.hiringkit.archive.Archiver;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hiring restore}: tables back from a backup, in one transaction. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restores tables from a backup (all of the backup's tables unless --table is given).", "",
                "Restores in one transaction, checking each file's schema, size and SHA-256 as it streams in:"
                        + " it succeeds whole or leaves the database as it was. A restore that would leave hired employees"
                        + " without their department or job is refused."})
final class RestoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Mixin
    TableOptions tables;

    @Option(names = "--backup", paramLabel = "ID", defaultValue = Archiver.LATEST,
            description = "The backup's id (see hiring backups), or latest: the newest backup holding the tables"
                    + " (default: ${DEFAULT-VALUE}).")
    String backupId;

    @Option(names = "--mode", defaultValue = "replace", description = "replace: each table becomes exactly the"
            + " backup's copy; append: adds the rows whose ids are missing and skips the others (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = {"-y", "--yes"}, description = "Replace without asking, also on a terminal.")
    boolean yes;

    @Mixin
    IdempotencyKeyOption idempotency;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Table[] chosen = tables.tables();
        Optional<IdempotencyKey> key = idempotency.idempotencyKey();
        RestoreMode restoreMode = switch (mode.trim().toLowerCase(Locale.ROOT)) {
            case "replace" -> RestoreMode.REPLACE;
            case "append" -> RestoreMode.APPEND;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--mode must be replace or append, not '" + mode + "'");
        };
        if (restoreMode == RestoreMode.REPLACE && !yes && System.console() != null) {
            // Someone at a terminal: replacing tables deserves a second look. Scripts pass --yes or no terminal.
            String from = backupId.equals(Archiver.LATEST) ? "the latest backup" : "backup " + backupId;
            String what = tables.names.isEmpty() ? "every table of " + from
                    : String.join(", ", tables.names) + " with " + from;
            String answer = System.console().readLine("Replace %s? Rows not in the backup are removed. [y/N] ", what);
            if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
                out.println("Nothing restored.");
                out.flush();
                return 1;
            }
        }
        try (HiringRuntime runtime = HiringRuntime.start(database);
                ArchiveProgressBars bars = new ArchiveProgressBars("restore")) {
            RestoreResult result;
            try {
                Archiver archiver = bars.on(runtime.kit().archiver());
                result = key.isPresent() ? archiver.restore(key.get(), backupId, restoreMode, chosen)
                        : archiver.restore(backupId, restoreMode, chosen);
            } catch (HiringException e) {
                throw e.code() == HiringException.Code.DATABASE_UNAVAILABLE ? new HiringException(e.code(), e.getMessage()
                        + ". Run the same command again once the database is back.", e) : e;
            }
            bars.close(); // the last bar ends before the summary
            out.println("Restored from backup " + result.backupId() + " ("
                    + result.mode().name().toLowerCase(Locale.ROOT) + "):");
            TextTable table = new TextTable("table", "in backup", "before", "removed", "inserted", "skipped");
            result.tables().forEach(t -> table.row(t.table().sqlName(), t.backupRows(), t.rowsBefore(), t.removed(),
                    t.inserted(), t.skipped()));
            table.print(out);
            for (RestoreResult.TableRestore t : result.tables()) {
                if (t.skipped() > 0) {
                    out.println("Skipped ids of " + t.table().sqlName() + " (already there"
                            + (t.skipped() > t.skippedIds().size() ? ", the first " + t.skippedIds().size() : "") + "): "
                            + t.skippedIds().stream().map(String::valueOf).collect(Collectors.joining(" ")));
                }
            }
            if (result.replayed()) {
                out.println("Replayed: an earlier restore with this --idempotency-key did the above; nothing was"
                        + " restored again.");
            }
        }
        out.flush();
        return 0;
    }
}
