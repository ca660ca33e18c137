package dev.hiringkit.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The throttle's memory stays bounded, and its wait holds on a real clock. */
class LoginThrottleTest {

    @Test
    void manyUserNamesCannotGrowItsMemoryWithoutLimit() {
        LoginThrottle throttle = new LoginThrottle(Clock.systemUTC(), 1_000);
        for (int i = 0; i < 20_000; i++) {
            throttle.failed("user" + i, "203.0.113.7");
        }
        assertTrue(throttle.size() <= 1_000, "remembers " + throttle.size());
        assertEquals(100_000, LoginThrottle.MAX_ENTRIES, "the server's bound");
    }

    @Test
    void sleepingForTheWaitItReportsIsEnough() throws Exception {
        LoginThrottle throttle = new LoginThrottle(Clock.systemUTC());
        for (int i = 0; i < 5; i++) {
            throttle.failed("target", "198.51.100.1");
        }
        Duration wait = throttle.waitFor("target", "198.51.100.1");
        assertEquals(Duration.ofSeconds(1), wait, "a whole second, rounded up from what is left of it");
        assertEquals(Duration.ZERO, throttle.waitFor("target", "192.0.2.1"), "another address is not slowed down");
        Thread.sleep(wait.toMillis());
        assertEquals(Duration.ZERO, throttle.waitFor("target", "198.51.100.1"));
    }
}
