package dev.hiringkit.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hiring} command line. */
@Command(name = "hiring", mixinStandardHelpOptions = true, version = "hiring 0.1.0",
        description = "Moves hiring records from CSV files into PostgreSQL and answers questions about them.")
public final class HiringCommand {

    public static void main(String[] args) {
        System.exit(new CommandLine(new HiringCommand()).execute(args));
    }
}
