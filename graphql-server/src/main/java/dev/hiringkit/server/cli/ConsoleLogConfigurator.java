package dev.hiringkit.server.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The command line's logging until it knows its data directory, and for commands without one (generate,
 * help): warnings and errors on the terminal, one line each, never a stack trace (see {@link LogSetup}). Found
 * by logback as a service; it steps aside for a {@code logback.xml} or {@code logback-test.xml} on the class
 * path or a {@code -Dlogback.configurationFile}, which logback then reads as usual.
 */
public final class ConsoleLogConfigurator extends ContextAwareBase implements Configurator {

    /** For logback's service loader. */
    public ConsoleLogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = ConsoleLogConfigurator.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null
                || loader.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogSetup.console(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
