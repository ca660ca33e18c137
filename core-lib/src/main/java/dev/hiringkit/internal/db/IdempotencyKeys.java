package dev.hiringkit.internal.db;

import static dev.hiringkit.internal.jooq.Tables.IDEMPOTENCY_KEYS;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.IdempotencyKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record3;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code idempotency_keys} table: an operation sent with a key claims it inside its own transaction,
 * before its effect, and stores its result there too; the key is then committed exactly when the effect
 * is. A second request with the key waits on the first's uncommitted row (PostgreSQL makes an
 * {@code INSERT ... ON CONFLICT} wait for it), then finds it committed and replays its result, or, if the
 * first rolled back, claims the key and runs. Keys live for the retention given, then are purged. Internal to
 * HiringKit, not part of its API.
 */
public final class IdempotencyKeys {

    /** How long a key is kept when the caller does not say: a day covers any client's retry policy. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    /** Expired keys are deleted at most this often per process, after a keyed write. */
    private static final long PURGE_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyKeys.class);

    private final Duration retention;
    private final AtomicLong lastPurge = new AtomicLong(System.nanoTime() - PURGE_EVERY_NANOS);

    public IdempotencyKeys(Duration retention) {
        this.retention = checkRetention(retention);
    }

    /** A retention: positive. */
    public static Duration checkRetention(Duration retention) {
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new HiringException(Code.INVALID_ARGUMENT, "The idempotency retention must be positive, got "
                    + retention);
        }
        return retention;
    }

    public Duration retention() {
        return retention;
    }

    /**
     * One keyed request: who sent it ({@code scope}, '' for no one), its key, what it is, and the SHA-256 of
     * the request in its canonical form.
     */
    public record Claim(String scope, String key, String operation, String requestHash) {

        public Claim {
            scope = scope == null ? "" : scope;
            java.util.Objects.requireNonNull(key);
        }
    }

    /**
     * Claims the key in the caller's open transaction. Empty: the key is this transaction's, which runs the
     * operation and then calls {@link #complete}. Present: the key was committed before, with this very
     * request, and this is its stored result, to be returned without running anything.
     *
     * @throws HiringException {@link Code#IDEMPOTENCY_KEY_REUSED} when the key was used for another request
     */
    public Optional<String> claim(Connection connection, Claim claim) throws SQLException {
        Attempt attempt = tryClaim(connection, claim);
        if (!attempt.settled()) {
            // The key expired and was purged between the two statements: it is free now.
            attempt = tryClaim(connection, claim);
        }
        if (!attempt.settled()) {
            throw new HiringException(Code.DATABASE_ERROR, "The idempotency key '" + claim.key()
                    + "' could be neither claimed nor read");
        }
        return attempt.stored();
    }

    /** One try at a claim: settled, claimed (nothing stored) or found (its result); or the key vanished. */
    private record Attempt(boolean settled, Optional<String> stored) {
    }

    private Attempt tryClaim(Connection connection, Claim claim) throws SQLException {
        // An expired key that was not purged yet is taken over, as if it were gone.
        boolean claimed = Jooq.on(connection, sql -> sql.insertInto(IDEMPOTENCY_KEYS)
                .set(IDEMPOTENCY_KEYS.SCOPE, claim.scope())
                .set(IDEMPOTENCY_KEYS.IDEMPOTENCY_KEY, claim.key())
                .set(IDEMPOTENCY_KEYS.OPERATION, claim.operation())
                .set(IDEMPOTENCY_KEYS.REQUEST_HASH, claim.requestHash())
                .set(IDEMPOTENCY_KEYS.EXPIRES_AT, fromNow(retention))
                .onConflict(IDEMPOTENCY_KEYS.SCOPE, IDEMPOTENCY_KEYS.IDEMPOTENCY_KEY).doUpdate()
                .set(IDEMPOTENCY_KEYS.OPERATION, DSL.excluded(IDEMPOTENCY_KEYS.OPERATION))
                .set(IDEMPOTENCY_KEYS.REQUEST_HASH, DSL.excluded(IDEMPOTENCY_KEYS.REQUEST_HASH))
                .set(IDEMPOTENCY_KEYS.RESULT, (String) null)
                .set(IDEMPOTENCY_KEYS.CREATED_AT, DSL.currentOffsetDateTime())
                .set(IDEMPOTENCY_KEYS.EXPIRES_AT, DSL.excluded(IDEMPOTENCY_KEYS.EXPIRES_AT))
                .where(IDEMPOTENCY_KEYS.EXPIRES_AT.le(DSL.currentOffsetDateTime()))
                .returningResult(DSL.inline(1))
                .fetchOptional()).isPresent();
        if (claimed) {
            return new Attempt(true, Optional.empty());
        }
        Record3<String, String, String> found = Jooq.on(connection, sql -> sql
                .select(IDEMPOTENCY_KEYS.OPERATION, IDEMPOTENCY_KEYS.REQUEST_HASH, IDEMPOTENCY_KEYS.RESULT)
                .from(IDEMPOTENCY_KEYS).where(keyOf(claim)).fetchOne());
        if (found == null) {
            return new Attempt(false, Optional.empty());
        }
        checkSameRequest(claim, found);
        return new Attempt(true, Optional.of(found.value3() == null ? "" : found.value3()));
    }

    /** The key of the claim's row. */
    private static Condition keyOf(Claim claim) {
        return IDEMPOTENCY_KEYS.SCOPE.eq(claim.scope()).and(IDEMPOTENCY_KEYS.IDEMPOTENCY_KEY.eq(claim.key()));
    }

    /** The database's clock plus {@code duration}: the database's time, not this machine's, decides expiry. */
    private static Field<OffsetDateTime> fromNow(Duration duration) {
        // jOOQ's interval arithmetic on timestamptz renders in days; milliseconds as PostgreSQL writes them.
        return DSL.field("now() + {0} * interval '1 millisecond'", OffsetDateTime.class, DSL.val(duration.toMillis()));
    }

    private static void checkSameRequest(Claim claim, Record3<String, String, String> found) {
        if (!found.value1().equals(claim.operation()) || !found.value2().equals(claim.requestHash())) {
            throw reused(claim.key(), found.value1());
        }
    }

    /** Stores the result of the operation that claimed the key, in the same transaction. */
    public void complete(Connection connection, Claim claim, String result) throws SQLException {
        Jooq.on(connection, sql -> sql.update(IDEMPOTENCY_KEYS).set(IDEMPOTENCY_KEYS.RESULT, result)
                .where(keyOf(claim)).execute());
    }

    /**
     * The result stored for a key, without claiming it; empty when the key is unknown or expired.
     *
     * @throws HiringException {@link Code#IDEMPOTENCY_KEY_REUSED} when the key was used for another request
     */
    public Optional<String> find(Connection connection, Claim claim) throws SQLException {
        Record3<String, String, String> found = Jooq.on(connection, sql -> sql
                .select(IDEMPOTENCY_KEYS.OPERATION, IDEMPOTENCY_KEYS.REQUEST_HASH, IDEMPOTENCY_KEYS.RESULT)
                .from(IDEMPOTENCY_KEYS).where(keyOf(claim), IDEMPOTENCY_KEYS.EXPIRES_AT.gt(DSL.currentOffsetDateTime()))
                .fetchOne());
        if (found == null) {
            return Optional.empty();
        }
        checkSameRequest(claim, found);
        return Optional.ofNullable(found.value3());
    }

    /**
     * Deletes the expired keys, at most once a minute per process (the first caller in a minute does it);
     * a failure only waits for the next time. Returns how many were deleted.
     */
    public int purgeExpiredIfDue(DataSource dataSource) {
        long last = lastPurge.get();
        long now = System.nanoTime();
        if (now - last < PURGE_EVERY_NANOS || !lastPurge.compareAndSet(last, now)) {
            return 0;
        }
        return purgeExpired(dataSource);
    }

    /** Deletes the expired keys now; returns how many. */
    public int purgeExpired(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return Jooq.on(connection, sql -> sql.deleteFrom(IDEMPOTENCY_KEYS)
                    .where(IDEMPOTENCY_KEYS.EXPIRES_AT.le(DSL.currentOffsetDateTime())).execute());
        } catch (SQLException | RuntimeException e) {
            LOG.debug("expired idempotency keys not purged this time: {}", e.toString());
            return 0;
        }
    }

    private static HiringException reused(String key, String operation) {
        return new HiringException(Code.IDEMPOTENCY_KEY_REUSED, "The idempotency key '" + key + "' was already used"
                + " for another request (" + operation + "); a retry must send the same request. Use a new key"
                + " for a new request.");
    }

    /** A key: 1 to 255 printable ASCII characters (space to '~'), as an HTTP header can carry it; see {@link IdempotencyKey#isValid}. */
    public static String checkKey(String key) {
        if (!IdempotencyKey.isValid(key)) {
            throw new HiringException(Code.INVALID_ARGUMENT, "An idempotency key must be 1 to " + IdempotencyKey.MAX_LENGTH
                    + " printable ASCII characters (a UUID is a good one)");
        }
        return key;
    }

    /** The SHA-256, in hex, of the parts, each preceded by its length so that no two lists of parts collide. */
    public static String sha256(String... parts) {
        MessageDigest digest = sha256();
        for (String part : parts) {
            byte[] bytes = (part == null ? "\0null" : part).getBytes(StandardCharsets.UTF_8);
            digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
