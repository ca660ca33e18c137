package dev.hiringkit.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Slows down guessing: after a few failed sign-ins of one user from one address, further attempts are
 * refused for a delay that doubles with each failure, up to a minute. A success clears the count. The
 * wait it reports is rounded up to whole seconds, as {@code Retry-After} carries it, so a client that
 * waits that long is answered.
 *
 * <p>Built on a database ({@link #LoginThrottle(DataSource, Clock)}, what {@code hiring serve} uses), the
 * counts are shared by every instance on it, so a balancer spreading a guesser's attempts over several
 * instances does not multiply them. Built on a clock alone, it counts in this process only, in bounded
 * memory: for one instance, or tests.
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

    /** The failures of one user from one address: how many, and the last one's time. */
    private record Failures(int count, Instant last) {
        Instant blockedUntil() {
            Duration delay = count < FREE_ATTEMPTS ? Duration.ZERO
                    : Duration.ofSeconds(1L << Math.min(count - FREE_ATTEMPTS, 6));
            return last.plus(delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay);
        }
    }

    /** Where the counts are kept. */
    private interface Store {
        Optional<Failures> find(String username, String address, Instant forgetBefore);

        void failed(String username, String address, Instant now, Instant forgetBefore);

        void clear(String username, String address);
    }

    private final Store store;
    private final Clock clock;

    /** A throttle of this process only, in bounded memory. */
    public LoginThrottle(Clock clock) {
        this(clock, MAX_ENTRIES);
    }

    LoginThrottle(Clock clock, int maxEntries) {
        this.clock = clock;
        this.store = new InMemory(maxEntries);
    }

    /**
     * A throttle shared by every instance on {@code dataSource} (the table {@code login_failures}, created
     * by {@link Users#migrate()}).
     */
    public LoginThrottle(DataSource dataSource, Clock clock) {
        this.clock = clock;
        this.store = new InDatabase(new AccountStatements(dataSource, "login_failures"));
    }

    /** How long the caller must still wait, rounded up to whole seconds; zero when it may try now. */
    public Duration waitFor(String username, String address) {
        Instant now = clock.instant();
        Optional<Failures> f = store.find(username, address, now.minus(FORGET_AFTER));
        if (f.isEmpty()) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, f.get().blockedUntil());
        if (left.isNegative() || left.isZero()) {
            return Duration.ZERO;
        }
        // Rounded down, 1.4 s left would say 1: a client that waits 1 s would be refused again.
        return Duration.ofSeconds(left.getSeconds() + (left.getNano() > 0 ? 1 : 0));
    }

    public void failed(String username, String address) {
        Instant now = clock.instant();
        store.failed(username, address, now, now.minus(FORGET_AFTER));
    }

    public void succeeded(String username, String address) {
        store.clear(username, address);
    }

    /** How many users and addresses it remembers now (after pending evictions), in memory: for tests. */
    long size() {
        return store instanceof InMemory memory ? memory.size() : -1;
    }

    private static final class InMemory implements Store {
        private final Cache<String, Failures> failures;

        InMemory(int maxEntries) {
            this.failures = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(FORGET_AFTER).build();
        }

        @Override
        public Optional<Failures> find(String username, String address, Instant forgetBefore) {
            return Optional.ofNullable(failures.getIfPresent(key(username, address)));
        }

        @Override
        public void failed(String username, String address, Instant now, Instant forgetBefore) {
            failures.asMap().compute(key(username, address),
                    (k, f) -> new Failures(f == null ? 1 : f.count() + 1, now));
        }

        @Override
        public void clear(String username, String address) {
            failures.invalidate(key(username, address));
        }

        long size() {
            failures.cleanUp();
            return failures.estimatedSize();
        }

        private static String key(String username, String address) {
            return username + "\u0000" + address;
        }
    }

    /**
     * The counts in the database. A failure is one upsert (atomic however many instances count at once) and
     * deletes the rows older than an hour: the table holds only the last hour's failures, each of which cost
     * the guesser a bcrypt check.
     */
    private static final class InDatabase implements Store {
        private final AccountStatements sql;

        InDatabase(AccountStatements sql) {
            this.sql = sql;
        }

        @Override
        public Optional<Failures> find(String username, String address, Instant forgetBefore) {
            return sql.one("SELECT failures, last_failed_at FROM login_failures WHERE username = ? AND address = ?"
                    + " AND last_failed_at >= ?", rs -> new Failures(rs.getInt(1), rs.getTimestamp(2).toInstant()),
                    username, address, Timestamp.from(forgetBefore));
        }

        @Override
        public void failed(String username, String address, Instant now, Instant forgetBefore) {
            // PostgreSQL keeps microseconds and rounds to the nearest: a time stored later than the clock
            // reads would make a throttle with no delay left still say "wait".
            now = now.truncatedTo(ChronoUnit.MICROS);
            sql.update("INSERT INTO login_failures (username, address, failures, last_failed_at) VALUES (?, ?, 1, ?)"
                    + " ON CONFLICT (username, address) DO UPDATE SET failures = CASE WHEN"
                    + " login_failures.last_failed_at < ? THEN 1 ELSE login_failures.failures + 1 END,"
                    + " last_failed_at = excluded.last_failed_at", username, address, Timestamp.from(now),
                    Timestamp.from(forgetBefore));
            sql.update("DELETE FROM login_failures WHERE last_failed_at < ?", Timestamp.from(forgetBefore));
        }

        @Override
        public void clear(String username, String address) {
            sql.update("DELETE FROM login_failures WHERE username = ? AND address = ?", username, address);
        }
    }
}
