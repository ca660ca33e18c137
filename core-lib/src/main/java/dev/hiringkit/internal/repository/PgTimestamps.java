package dev.hiringkit.internal.repository;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Instants as PostgreSQL's own text form of a timestamptz, which it reads back for every value it
 * stores. {@link Instant#toString()} is not that form outside years 1 to 9999: PostgreSQL refuses
 * {@code +10000-01-01T00:00:00Z} and reads no negative year (it writes 1 BC where ISO writes year 0).
 */
final class PgTimestamps {

    /** Years 1 to 9999, where the ISO form is also PostgreSQL's (the common case, and ten times cheaper). */
    private static final long FIRST_ISO_SECOND = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    private static final long AFTER_ISO_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() + 1;

    private PgTimestamps() {
    }

    /** Truncated to microseconds, as PostgreSQL stores it and as a load's binary COPY sends it. */
    static String text(Instant instant) {
        long second = instant.getEpochSecond();
        if (second >= FIRST_ISO_SECOND && second < AFTER_ISO_SECOND) {
            return instant.getNano() % 1000 == 0 ? instant.toString() : instant.truncatedTo(ChronoUnit.MICROS).toString();
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        int year = t.getYear();
        boolean bc = year <= 0;
        return String.format("%04d-%02d-%02d %02d:%02d:%02d.%06d+00%s", bc ? 1 - year : year, t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1000, bc ? " BC" : "");
    }
}
