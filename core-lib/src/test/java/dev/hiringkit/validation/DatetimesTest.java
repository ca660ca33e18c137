package dev.hiringkit.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The data rules' reading of a datetime: ISO 8601 instants, with Z or an offset, as UTC. */
class DatetimesTest {

    @Test
    void readsInstantsWithZOrAnOffsetAsUtc() {
        assertEquals(Optional.of(Instant.parse("2021-07-27T16:02:08Z")), Datetimes.parse("2021-07-27T16:02:08Z"));
        assertEquals(Optional.of(Instant.parse("2021-07-27T14:02:08Z")),
                Datetimes.parse("2021-07-27T16:02:08+02:00"));
        assertEquals(Optional.of(Instant.parse("2021-07-27T16:02:08.250Z")),
                Datetimes.parse("2021-07-27T16:02:08.250Z"));
    }

    @Test
    void refusesWhatIsNotAnInstant() {
        for (String text : new String[] {"2021-07-27", "2021-07-27T16:02:08", "2021-02-30T00:00:00Z",
                "2021-07-27 16:02:08Z", "yesterday", "", "2021-07-27T16:02:0xZ"}) {
            assertEquals(Optional.empty(), Datetimes.parse(text), text);
        }
    }
}
