package dev.hiringkit.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hiringkit.server.observability.HiringMetrics.Outcome;
import org.junit.jupiter.api.Test;

/** A 503's outcome label comes from its answer's code: a busy table or a stop is not the database being down. */
class ObservedGraphQLTest {

    @Test
    void eachUnavailableCodeHasItsOwnOutcome() {
        assertEquals(Outcome.DATABASE_UNAVAILABLE, ObservedGraphQL.unavailableOutcome("DATABASE_UNAVAILABLE"));
        assertEquals(Outcome.TABLE_BUSY, ObservedGraphQL.unavailableOutcome("TABLE_BUSY"));
        assertEquals(Outcome.SHUTTING_DOWN, ObservedGraphQL.unavailableOutcome("SHUTTING_DOWN"));
        assertEquals(Outcome.INTERNAL_ERROR, ObservedGraphQL.unavailableOutcome(null));
        assertEquals("table_busy", Outcome.TABLE_BUSY.label());
    }
}
