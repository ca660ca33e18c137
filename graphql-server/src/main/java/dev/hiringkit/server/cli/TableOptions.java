package dev.hiringkit.server.cli;

import dev.hiringkit.Table;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --table T}, repeatable: the tables a backup or restore covers (none given: all of them). */
final class TableOptions {

    @Option(names = "--table", paramLabel = "TABLE", description = "A table: departments, jobs or hired_employees;"
            + " repeat for several (default: all).")
    List<String> names = new ArrayList<>();

    /** The tables named, none when none was. */
    Table[] tables() {
        return names.stream().map(Table::fromName).toArray(Table[]::new);
    }
}
