package dev.hiringkit.server.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import graphql.GraphQLContext;
import graphql.scalars.ExtendedScalars;
import graphql.schema.CoercingParseValueException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast path of the DateTime scalar answers exactly as the library's scalar does, or leaves it to it. */
class DateTimeScalarTest {

    private static OffsetDateTime library(String text) {
        try {
            return (OffsetDateTime) ExtendedScalars.DateTime.getCoercing().parseValue(text, GraphQLContext.getDefault(),
                    Locale.ROOT);
        } catch (CoercingParseValueException e) {
            return null;
        }
    }

    private static void sameAsLibrary(String text) {
        OffsetDateTime fast = DateTimeScalar.parse(text);
        OffsetDateTime expected = library(text);
        if (fast != null) {
            assertEquals(expected, fast, text);
        }
        OffsetDateTime scalar = (OffsetDateTime) DateTimeScalar.create().getCoercing().parseValue(text,
                GraphQLContext.getDefault(), Locale.ROOT);
        assertEquals(expected, scalar, text);
    }

    @Test
    void theCommonFormsTakeTheFastPathWithTheLibrarysResult() {
        for (String text : List.of("2021-07-27T16:02:08Z", "2021-04-01T00:00:00-05:00", "2021-04-01T00:00:00+05:30",
                "2021-04-01T00:00:00.5Z", "2021-04-01T00:00:00.123456789+01:00", "2021-04-01T00:00:00.120Z",
                "2021-04-01T00:00:00-00:30", "2021-04-01T00:00:00+00:00", "1999-12-31T23:59:59+14:00",
                "2024-02-29T12:00:00Z", "0001-01-01T00:00:00Z")) {
            assertNotNull(DateTimeScalar.parse(text), text);
            sameAsLibrary(text);
        }
    }

    @Test
    void everythingElseIsTheLibrarysCall() {
        for (String text : List.of("2021-04-01T00:00:00-00:00", "2021-02-29T00:00:00Z", "2021-04-31T00:00:00Z",
                "2021-04-01T24:00:00Z", "2021-04-01T23:60:00Z", "2021-04-01T23:59:60Z", "2021-13-01T00:00:00Z",
                "2021-04-01T00:00:00+19:00", "2021-04-01T00:00:00+01:60", "2021-04-01t00:00:00z", "2021-04-01T00:00Z",
                "2021-04-01T00:00:00", "2021-04-01 00:00:00Z", "2021-04-01T00:00:00.Z", "2021-04-01T00:00:00.1234567890Z",
                "2021-04-01T00:00:00+0100", "2021-04-01T00:00:00+01:00:30", "+12021-04-01T00:00:00Z", "x021-04-01T00:00:00Z",
                "2021-04-01T00:00:00ZZ", "")) {
            if (text.isEmpty() || !Character.isDigit(text.charAt(0)) || text.length() < 20) {
                assertNull(DateTimeScalar.parse(text), text);
                continue;
            }
            OffsetDateTime fast = DateTimeScalar.parse(text);
            if (library(text) == null) {
                assertNull(fast, text);
            } else {
                sameAsLibrary(text);
            }
        }
    }

    @Test
    void randomInstantsAgreeWithTheLibrary() {
        Random random = new Random(42);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong() % 8_000_000_000L + 1_600_000_000L,
                    random.nextInt(4) == 0 ? random.nextInt(1_000_000_000) : 0);
            ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(145) - 72) * 900); // -18:00 to +18:00
            texts.add(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(offset)));
        }
        texts.forEach(DateTimeScalarTest::sameAsLibrary);
    }
}
