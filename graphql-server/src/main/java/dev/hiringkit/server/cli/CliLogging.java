package dev.hiringkit.server.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * Where the command line's logs go. A command that uses a database logs to a file in its data directory,
 * {@code <data-dir>/logs/hiring.log} (or {@code HIRING_LOG_FILE}), also with {@code --db-url}, where the
 * data directory holds the archive and the server's key as well: warnings of the libraries underneath
 * (the connection pool, the embedded PostgreSQL, Jetty, the AWS SDK) and the stack trace of a failed
 * command go there, and the terminal shows only hiring's own messages, one line each.
 */
final class CliLogging {

    /** The logger of failed commands: their stack traces, written to the log file only. */
    static final Logger FAILURES = LoggerFactory.getLogger("hiring.failures");

    private static final String CONFIGURATION = "logback-file.xml";

    private CliLogging() {
    }

    /**
     * The log file of the command {@code parseResult} runs, if it is one that uses a database and not a
     * request for help.
     */
    static Optional<Path> logFile(ParseResult parseResult) {
        ParseResult last = parseResult;
        while (true) {
            if (last.isUsageHelpRequested() || last.isVersionHelpRequested()) {
                return Optional.empty();
            }
            if (!last.hasSubcommand()) {
                break;
            }
            last = last.subcommand();
        }
        for (CommandSpec mixin : last.commandSpec().mixins().values()) {
            if (mixin.userObject() instanceof DatabaseOptions database) {
                return Optional.of(database.logFile());
            }
        }
        return Optional.empty();
    }

    /**
     * Sends the logs to {@code file} from now on (see {@code logback-file.xml}). When the file cannot be
     * written, nothing changes: the terminal keeps its one-line warnings.
     */
    static void toFile(Path file) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        URL configuration = CliLogging.class.getResource(CONFIGURATION);
        if (!(factory instanceof LoggerContext context) || configuration == null) {
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(file.toAbsolutePath().getParent())) {
                return;
            }
        } catch (IOException | SecurityException e) {
            return;
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        context.reset();
        context.putProperty("HIRING_LOG_FILE", file.toAbsolutePath().toString());
        try {
            configurator.doConfigure(configuration);
        } catch (JoranException e) {
            // Logback reports its own configuration errors on the console; the command runs on.
        }
    }
}
