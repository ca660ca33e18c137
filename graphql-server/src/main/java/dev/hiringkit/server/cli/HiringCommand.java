package dev.hiringkit.server.cli;

import dev.hiringkit.HiringException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hiring} command line. */
@Command(name = "hiring", mixinStandardHelpOptions = true, version = "hiring 0.1.0",
        description = "Moves hiring records from CSV files into PostgreSQL and answers questions about them.",
        footer = {"", "A command that fails prints one line, 'error: CODE: message', and exits with 1. Warnings of the",
                "libraries underneath and the details of failures go to <data-dir>/logs/hiring.log (see --log-file)."},
        subcommands = {LoadCommand.class, LoadsCommand.class, BackupCommand.class, BackupsCommand.class,
                RestoreCommand.class, ReportCommand.class, RejectionsCommand.class,
                GenerateCommand.class, DemoCommand.class, ServeCommand.class, UserCommand.class, ClientCommand.class})
public final class HiringCommand {

    /** Runs a command; one that uses a database logs to its log file (see {@link CliLogging}). */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("serve")) {
            // Logging set up before the head start's thread logs anything: a logger asked for by two threads
            // while SLF4J starts is replayed, with three lines of warning on standard error.
            org.slf4j.LoggerFactory.getILoggerFactory();
            ServeCommand.startEarly();
        }
        CommandLine commandLine = commandLineFor(args);
        commandLine.setExecutionStrategy(parseResult -> {
            CliLogging.logFile(parseResult).ifPresent(file -> CliLogging.toFile(file, CliLogging.format(parseResult)));
            return new CommandLine.RunLast().execute(parseResult);
        });
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            CliLogging.FAILURES.error("Uncaught in thread {}", thread.getName(), e);
            System.err.println("error: " + oneLine(e));
        });
        System.exit(commandLine.execute(args));
    }

    /** The command line that runs {@code args}: for a short command, {@code hiring} with that subcommand only. */
    static CommandLine commandLineFor(String[] args) {
        return args.length > 0 && SHORT_COMMANDS.containsKey(args[0])
                ? withErrorHandling(new CommandLine(new Only()).addSubcommand(instantiate(SHORT_COMMANDS.get(args[0]))))
                : newCommandLine();
    }

    /**
     * The command line with its error handling: a failed command prints one line, {@code error: CODE:
     * message}, and its exit code is 1; the stack trace goes to the log file, never to the terminal.
     */
    public static CommandLine newCommandLine() {
        return withErrorHandling(new CommandLine(new HiringCommand()));
    }

    private static CommandLine withErrorHandling(CommandLine commandLine) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            CliLogging.FAILURES.error("hiring {} failed", cmd.getCommandName(), e);
            String message = oneLine(e);
            // A HiringException says what happened; anything else, INTERNAL_ERROR too, is unexpected: see the log.
            Optional<Path> log = CliLogging.logFile(parseResult).filter(Files::isRegularFile);
            boolean expected = e instanceof HiringException h && h.code() != HiringException.Code.INTERNAL_ERROR;
            if (!expected && log.isPresent()) {
                message += " (details in " + log.get() + ")";
            }
            cmd.getErr().println("error: " + message);
            cmd.getErr().flush();
            return 1;
        });
        return commandLine;
    }

    /** {@code CODE: message} of a HiringException, else the exception's message, on one line. */
    static String oneLine(Throwable e) {
        String message = e instanceof HiringException h ? h.code() + ": " + h.getMessage()
                : e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : e.toString();
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * The commands that run for about a second, and serve, whose start is timed too, by name: {@code main}
     * builds only the one it runs, since picocli reads every subcommand's annotations when it builds the
     * whole tree (0.25 s of CPU of a 0.8 s report on this machine, its classes being Java 5 class files that
     * class data sharing cannot keep).
     */
    private static final java.util.Map<String, Class<?>> SHORT_COMMANDS = java.util.Map.of(
            "report", ReportCommand.class, "rejections", RejectionsCommand.class, "loads", LoadsCommand.class,
            "backups", BackupsCommand.class, "serve", ServeCommand.class);

    private static Object instantiate(Class<?> command) {
        try {
            var constructor = command.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code hiring} with one subcommand: the same name, options and help as {@link HiringCommand}. */
    @Command(name = "hiring", mixinStandardHelpOptions = true, version = "hiring 0.1.0")
    static final class Only {
    }
}
