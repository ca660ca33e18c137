package dev.hiringkit.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing: after a few failed sign-ins of one user from one address, further attempts are
 * refused for a delay that doubles with each failure, up to a minute. A success clears the count.
 */
public final class LoginThrottle {

    private static final int FREE_ATTEMPTS = 5;
    private static final Duration MAX_DELAY = Duration.ofMinutes(1);

    private record Failures(int count, Instant blockedUntil) {
    }

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long the caller must still wait; zero when it may try now. */
    public Duration waitFor(String username, String address) {
        Failures f = failures.get(key(username, address));
        if (f == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), f.blockedUntil());
        return left.isNegative() ? Duration.ZERO : left;
    }

    public void failed(String username, String address) {
        failures.compute(key(username, address), (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            Duration delay = count < FREE_ATTEMPTS ? Duration.ZERO
                    : Duration.ofSeconds(1L << Math.min(count - FREE_ATTEMPTS, 6));
            return new Failures(count, clock.instant().plus(delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay));
        });
    }

    public void succeeded(String username, String address) {
        failures.remove(key(username, address));
    }

    private static String key(String username, String address) {
        return username + "\u0000" + address;
    }
}
