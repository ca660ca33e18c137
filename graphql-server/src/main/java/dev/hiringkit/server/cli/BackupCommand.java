package dev.hiringkit.server.cli;

import dev.hiringkit.HiringException;
import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.Table;
import dev.hiringkit.archive.Archiver;
import dev.hiringkit.archive.Backup;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hiring backup}: an Avro copy of the tables, from one snapshot, into the archive. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Backs tables up to Avro files in the archive (all of them unless --table is given).", "",
                "Every table comes from one snapshot of the database. The files go to backups/<id>/ with a"
                        + " manifest.json written last: a backup without it is incomplete and never used."})
final class BackupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Mixin
    TableOptions tables;

    @Mixin
    IdempotencyKeyOption idempotency;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Table[] chosen = tables.tables();
        Optional<IdempotencyKey> key = idempotency.idempotencyKey();
        try (HiringRuntime runtime = HiringRuntime.start(database);
                ArchiveProgressBars bars = new ArchiveProgressBars("backup")) {
            Backup backup;
            try {
                Archiver archiver = bars.on(runtime.kit().archiver());
                backup = key.isPresent() ? archiver.backup(key.get(), chosen) : archiver.backup(chosen);
            } catch (HiringException e) {
                throw e.code() == HiringException.Code.DATABASE_UNAVAILABLE ? new HiringException(e.code(), e.getMessage()
                        + ". No backup was made (a backup without its manifest is never listed); run the same command"
                        + " again once the database is back.", e) : e;
            }
            bars.close(); // the last bar ends before the summary
            out.println("Backup " + backup.id() + " written to " + runtime.kit().archive().locate("backups/" + backup.id()));
            printFiles(out, backup);
            if (backup.replayed()) {
                out.println("Replayed: an earlier backup with this --idempotency-key took backup " + backup.id()
                        + "; no other backup was taken.");
            }
        }
        out.flush();
        return 0;
    }

    static void printFiles(PrintWriter out, Backup backup) {
        TextTable files = new TextTable("table", "rows", "bytes", "sha256");
        backup.tables().forEach(f -> files.row(f.table().sqlName(), f.rows(), f.bytes(), f.sha256()));
        files.print(out);
    }
}
