package dev.hiringkit.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Slows down guessing: after a few failed sign-ins of one user from one address, further attempts are
 * refused for a delay that doubles with each failure, up to a minute. A success clears the count. The
 * wait it reports is rounded up to whole seconds, as {@code Retry-After} carries it, so a client that
 * waits that long is answered. Its memory is bounded: many user names cannot grow it without limit.
 */
public final class LoginThrottle {

    private static final int FREE_ATTEMPTS = 5;
    private static final Duration MAX_DELAY = Duration.ofMinutes(1);
    /**
     * Each entry is about 200 bytes: 100,000 take some 20 MB. Filling it takes 100,000 failed sign-ins,
     * each costing a bcrypt check (about 250 ms of a core at cost 12): seven hours of one core. When full,
     * the entries least used go first, not those of a user under attack.
     */
    static final int MAX_ENTRIES = 100_000;
    /** Failures older than this are forgotten: a user who mistypes once a day never waits. */
    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    private record Failures(int count, Instant blockedUntil) {
    }

    private final Cache<String, Failures> failures;
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this(clock, MAX_ENTRIES);
    }

    LoginThrottle(Clock clock, int maxEntries) {
        this.clock = clock;
        this.failures = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(FORGET_AFTER).build();
    }

    /** How long the caller must still wait, rounded up to whole seconds; zero when it may try now. */
    public Duration waitFor(String username, String address) {
        Failures f = failures.getIfPresent(key(username, address));
        if (f == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), f.blockedUntil());
        if (left.isNegative() || left.isZero()) {
            return Duration.ZERO;
        }
        // Rounded down, 1.4 s left would say 1: a client that waits 1 s would be refused again.
        return Duration.ofSeconds(left.getSeconds() + (left.getNano() > 0 ? 1 : 0));
    }

    public void failed(String username, String address) {
        failures.asMap().compute(key(username, address), (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            Duration delay = count < FREE_ATTEMPTS ? Duration.ZERO
                    : Duration.ofSeconds(1L << Math.min(count - FREE_ATTEMPTS, 6));
            return new Failures(count, clock.instant().plus(delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay));
        });
    }

    public void succeeded(String username, String address) {
        failures.invalidate(key(username, address));
    }

    /** How many users and addresses it remembers now (after pending evictions): for tests. */
    long size() {
        failures.cleanUp();
        return failures.estimatedSize();
    }

    private static String key(String username, String address) {
        return username + "\u0000" + address;
    }
}
