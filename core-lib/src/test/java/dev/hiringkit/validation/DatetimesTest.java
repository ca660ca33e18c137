package dev.hiringkit.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.Random;
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

    @Test
    void readsEveryDayOfTheFourDigitYearsAsTheJdkDoes() {
        for (LocalDate day = LocalDate.of(0, 1, 1); day.getYear() <= 9999; day = day.plusDays(1)) {
            assertEquals(day.toEpochDay(), Datetimes.epochDay(day.getYear(), day.getMonthValue(), day.getDayOfMonth()),
                    day.toString());
        }
        Random random = new Random(15);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L));
            String text = instant.toString();
            assertEquals(Optional.of(instant), Datetimes.parse(text), text);
        }
        for (String text : new String[] {"1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2021-04-31T00:00:00Z",
                "2021-13-01T00:00:00Z", "2021-00-10T00:00:00Z", "2021-01-00T00:00:00Z", "2021-01-01T24:00:00Z",
                "2021-01-01T23:60:00Z", "2021-01-01T23:59:60Z"}) {
            assertEquals(Optional.empty(), Datetimes.parse(text), text);
        }
        assertEquals(Optional.of(Instant.parse("2000-02-29T23:59:59Z")), Datetimes.parse("2000-02-29T23:59:59Z"));
    }
}
