package dev.hiringkit.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;

/**
 * The command line's two logging set-ups, made in code rather than read from XML: logback's XML reader
 * (Joran, with the JDK's XML parser) loaded some 250 classes and ran twice in every command, once for the
 * default and once for the log file, 0.1 s of a 0.5 s report on this machine.
 */
final class LogSetup {

    /** The level of hiring's own loggers: {@code HIRING_LOG_LEVEL}, else INFO. */
    private static final String LEVEL_VARIABLE = "HIRING_LOG_LEVEL";

    private LogSetup() {
    }

    /**
     * Until the command line knows its data directory: warnings and errors on the terminal, one line each,
     * never a stack trace; hiring's own messages from INFO; failed commands' stack traces nowhere.
     */
    static void console(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> stderr = stderr(context, "%d{HH:mm:ss} %-5level %logger{0} - %msg%n%nopex", false);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("dev.hiringkit").setLevel(ownLevel());
        context.getLogger("org.flywaydb").setLevel(Level.ERROR);
        context.getLogger("hiring.failures").setLevel(Level.OFF);
    }

    /**
     * Once it knows its data directory: warnings and errors of every library, hiring's own messages and the
     * stack trace of a failed command go to {@code file} (rolled at 10 MB, three kept), in text or JSON lines
     * (the MDC carries trace_id and span_id while a request is traced); the terminal gets only hiring's own
     * warnings, one line each, never a stack trace.
     */
    static void file(LoggerContext context, Path file, CliLogging.Format format) {
        String path = file.toAbsolutePath().toString();
        context.putProperty("HIRING_LOG_FILE", path);
        RollingFileAppender<ILoggingEvent> log = new RollingFileAppender<>();
        log.setContext(context);
        log.setName("FILE");
        log.setFile(path);
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(log);
        rolling.setFileNamePattern(path + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(3);
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(FileSize.valueOf("10MB"));
        trigger.start();
        log.setRollingPolicy(rolling);
        log.setTriggeringPolicy(trigger);
        log.setEncoder(format == CliLogging.Format.JSON ? json(context)
                : pattern(context, "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n"));
        log.start();
        ConsoleAppender<ILoggingEvent> stderr = stderr(context, "%d{HH:mm:ss} %-5level %msg%n%nopex", true);

        Logger own = context.getLogger("dev.hiringkit");
        own.setLevel(ownLevel());
        own.addAppender(stderr);
        // A failed command: its one-line message is on the terminal already, its stack trace goes here.
        Logger failures = context.getLogger("hiring.failures");
        failures.setLevel(Level.ERROR);
        failures.setAdditive(false);
        failures.addAppender(log);
        // The embedded PostgreSQL's own output: what it said when it would not start or stopped.
        context.getLogger("io.zonky.test.db.postgres").setLevel(Level.INFO);
        context.getLogger("org.flywaydb").setLevel(Level.ERROR);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(log);
    }

    private static ConsoleAppender<ILoggingEvent> stderr(LoggerContext context, String pattern, boolean warningsOnly) {
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        if (warningsOnly) {
            ThresholdFilter filter = new ThresholdFilter();
            filter.setLevel("WARN");
            filter.start();
            stderr.addFilter(filter);
        }
        stderr.setEncoder(pattern(context, pattern));
        stderr.start();
        return stderr;
    }

    private static Encoder<ILoggingEvent> pattern(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    /**
     * One JSON object per line: the message with its arguments in place; not the pattern, the arguments
     * apart, or the logger context's properties (which hold the log file's path).
     */
    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithFormattedMessage(true);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithContext(false);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.start();
        return encoder;
    }

    /** {@code HIRING_LOG_LEVEL} (a level's name; a system property of that name first), else INFO. */
    private static Level ownLevel() {
        String level = System.getProperty(LEVEL_VARIABLE, System.getenv(LEVEL_VARIABLE));
        return Level.toLevel(level, Level.INFO);
    }
}
