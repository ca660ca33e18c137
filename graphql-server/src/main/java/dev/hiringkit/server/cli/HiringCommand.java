package dev.hiringkit.server.cli;

import dev.hiringkit.HiringException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hiring} command line. */
@Command(name = "hiring", mixinStandardHelpOptions = true, version = "hiring 0.1.0",
        description = "Moves hiring records from CSV files into PostgreSQL and answers questions about them.",
        subcommands = {LoadCommand.class, LoadsCommand.class, BackupCommand.class, BackupsCommand.class,
                RestoreCommand.class, ReportCommand.class, RejectionsCommand.class,
                GenerateCommand.class, DemoCommand.class, ServeCommand.class, UserCommand.class})
public final class HiringCommand {

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with its error handling: a clear one-line message, no stack trace. */
    public static CommandLine newCommandLine() {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        CommandLine commandLine = new CommandLine(new HiringCommand());
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            String message = e instanceof HiringException h ? h.code() + ": " + h.getMessage()
                    : e.getMessage() != null ? e.getMessage() : e.toString();
            cmd.getErr().println("error: " + message);
            cmd.getErr().flush();
            return 1;
        });
        return commandLine;
    }
}
