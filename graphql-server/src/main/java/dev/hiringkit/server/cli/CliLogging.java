package dev.hiringkit.server.cli;

import ch.qos.logback.classic.LoggerContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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


    /** The log file's format ({@code --log-format}). */
    enum Format {
        /** One line of text per event, for people. */
        TEXT,
        /**
         * One JSON object per line (logback's JsonEncoder): level, logger, message, thread, time, and the MDC,
         * which holds {@code trace_id} and {@code span_id} while a request is traced.
         */
        JSON;

        /** {@code text} or {@code json}, in any case. */
        static Format parse(Object value) {
            String text = value == null ? "text" : value.toString().strip();
            for (Format format : values()) {
                if (format.name().equalsIgnoreCase(text)) {
                    return format;
                }
            }
            throw new IllegalArgumentException("the log format is text or json, not '" + text + "'");
        }
    }

    private CliLogging() {
    }

    /**
     * The log file of the command {@code parseResult} runs, if it is one that uses a database and not a
     * request for help.
     */
    static Optional<Path> logFile(ParseResult parseResult) {
        return command(parseResult).flatMap(last -> {
            for (CommandSpec mixin : last.commandSpec().mixins().values()) {
                if (mixin.userObject() instanceof DatabaseOptions database) {
                    return Optional.of(database.logFile());
                }
            }
            return Optional.<Path>empty();
        });
    }

    /**
     * The log format the command asks for with {@code --log-format} (its value, or its default from
     * {@code HIRING_LOG_FORMAT}); text when it has no such option, or a wrong value, which the command
     * itself then refuses.
     */
    static Format format(ParseResult parseResult) {
        try {
            return command(parseResult).map(last -> last.commandSpec().findOption("--log-format"))
                    .map(option -> Format.parse(option.getValue()))
                    .orElse(Format.TEXT);
        } catch (IllegalArgumentException e) {
            return Format.TEXT;
        }
    }

    /** The command {@code parseResult} runs, unless it is a request for help. */
    private static Optional<ParseResult> command(ParseResult parseResult) {
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
        return Optional.of(last);
    }

    /**
     * Sends the logs to {@code file} from now on (see {@link LogSetup#file}). When the file cannot be
     * written, nothing changes: the terminal keeps its one-line warnings.
     */
    static void toFile(Path file) {
        toFile(file, Format.TEXT);
    }

    /** As {@link #toFile(Path)}, in {@code format}. */
    static void toFile(Path file, Format format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
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
        context.reset();
        LogSetup.file(context, file, format);
    }
}
