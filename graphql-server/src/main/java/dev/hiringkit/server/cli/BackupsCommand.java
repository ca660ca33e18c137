package dev.hiringkit.server.cli;

import dev.hiringkit.archive.Backup;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hiring backups}: the complete backups in the archive, newest first. */
@Command(name = "backups", mixinStandardHelpOptions = true,
        description = "Lists the complete backups in the archive, newest first.")
final class BackupsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (HiringRuntime runtime = HiringRuntime.start(database)) {
            List<Backup> backups = runtime.kit().archiver().list();
            if (backups.isEmpty()) {
                out.println("No backups in " + runtime.kit().archive().locate("backups") + " yet: hiring backup makes one.");
            } else {
                TextTable table = new TextTable("id", "created", "tables");
                backups.forEach(b -> table.row(b.id(), b.createdAt(), b.tables().stream()
                        .map(f -> f.table().sqlName() + " (" + f.rows() + ")")
                        .collect(Collectors.joining(", "))));
                table.print(out);
            }
        }
        out.flush();
        return 0;
    }
}
