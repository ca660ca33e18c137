package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The durations of options such as --idempotency-retention: a number with a unit, or ISO 8601. */
class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @Test
    void unitsAndIso() {
        assertEquals(Duration.ofHours(24), converter.convert("24h"));
        assertEquals(Duration.ofMinutes(90), converter.convert("90m"));
        assertEquals(Duration.ofSeconds(45), converter.convert("45s"));
        assertEquals(Duration.ofDays(7), converter.convert("7d"));
        assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(Duration.ofHours(36), converter.convert("PT36H"));
    }

    @Test
    void nothingElse() {
        for (String bad : new String[] {"24", "h", "0h", "-1h", "PT0S", "1.5h", "tomorrow"}) {
            assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert(bad), bad);
        }
    }
}
