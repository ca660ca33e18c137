package dev.hiringkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A library user's first migration says nothing worth a warning: nothing the library and its
 * dependencies log at WARN or above (Flyway prints PostgreSQL's notices as warnings) nor print to the
 * console (SLF4J's "No providers" goes to standard error), and no query result Flyway would print, while
 * a brand-new database is migrated, then migrated again.
 */
class QuietMigrationTest {

    @Test
    void aFreshMigrationAndTheNextWarnOfNothing() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger flyway = (Logger) LoggerFactory.getLogger("org.flywaydb");
        Level flywayLevel = flyway.getLevel();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        root.addAppender(events);
        // The tests' logging configuration keeps Flyway to errors; a user's shows its warnings.
        flyway.setLevel(Level.INFO);
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (HikariDataSource database = TestDatabase.newDatabase()) {
            PrintStream captured = new PrintStream(console, true, StandardCharsets.UTF_8);
            System.setErr(captured);
            System.setOut(captured);
            HiringKit kit = HiringKit.builder().dataSource(database).build();
            kit.migrate();
            assertTrue(kit.isMigrated());
            // The next start, with the schema current, and an explicit run of afterMigrate through Flyway.
            kit.migrate();
            org.flywaydb.core.Flyway.configure().dataSource(database).locations("classpath:db/migration").load().migrate();
        } finally {
            System.setErr(err);
            System.setOut(out);
            flyway.setLevel(flywayLevel);
            root.detachAppender(events);
        }
        String logged = events.list.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
                .collect(Collectors.joining("\n"));
        assertTrue(events.list.stream().anyMatch(e -> e.getLoggerName().startsWith("org.flywaydb")),
                "Flyway's messages are captured: " + logged);
        assertFalse(logged.contains("already exists, skipping"), logged);
        // Nor a query's result, which Flyway prints as a table.
        assertFalse(logged.contains("+---"), logged);
        assertEquals("", events.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n")));
        String printed = console.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("SLF4J"), printed);
        assertFalse(printed.contains("already exists, skipping"), printed);
    }
}
