package dev.hiringkit.validation;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one reading of a datetime by the data rules: an ISO 8601 instant such as {@code 2021-07-27T16:02:08Z},
 * or with an explicit offset, normalised to UTC. The validator and the GraphQL server both read through it.
 */
public final class Datetimes {

    private Datetimes() {
    }

    /**
     * The instant {@code text} names, or empty when it is not an ISO 8601 date-time with {@code Z} or an
     * offset. Whether the instant can be stored is the validator's range rule, not checked here.
     */
    public static Optional<Instant> parse(String text) {
        Instant instant = parseUtcSeconds(text);
        if (instant != null) {
            return Optional.of(instant);
        }
        try {
            return Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The common form {@code yyyy-MM-ddTHH:mm:ssZ}, parsed without the formatter's allocations: this is
     * the hot path of a load. Returns null for any other form, which the formatter then judges.
     */
    private static Instant parseUtcSeconds(String s) {
        if (s.length() != 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(19) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
