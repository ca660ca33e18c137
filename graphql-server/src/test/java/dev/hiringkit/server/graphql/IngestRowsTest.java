package dev.hiringkit.server.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.validation.Datetimes;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A hire goes typed only when its datetime's text is what the library writes back, so it is logged as sent. */
class IngestRowsTest {

    @Test
    void aDatetimeCountsAsWrittenAsAnInstantOnlyWhenInstantToStringGivesItsText() {
        List<String> texts = List.of("2021-07-27T16:02:08Z", "0000-01-01T00:00:00Z", "0999-12-31T23:59:59Z",
                "9999-12-31T23:59:59Z", "2021-07-27T16:02:08.000Z", "2021-07-27T16:02:08.5Z", "2021-07-27T16:02Z",
                "2021-07-27T18:02:08+02:00", "2021-07-27 16:02:08Z", "2021-07-27t16:02:08z", "2021-02-29T00:00:00Z",
                "2020-02-29T00:00:00Z", "2021-07-27T24:00:00Z", "+10000-01-01T00:00:00Z", "-4713-11-24T00:00:00Z",
                "2021-07-27T16:02:60Z");
        for (String text : texts) {
            Instant at = Datetimes.parse(text).orElse(null);
            if (at != null && IngestRows.writtenAsInstant(text, at)) {
                assertEquals(at.toString(), text);
            }
        }
        for (String text : List.of("2021-07-27T16:02:08Z", "0000-01-01T00:00:00Z", "0999-12-31T23:59:59Z",
                "9999-12-31T23:59:59Z", "2020-02-29T00:00:00Z")) {
            assertTrue(IngestRows.writtenAsInstant(text, Instant.parse(text)), text);
        }
    }
}
