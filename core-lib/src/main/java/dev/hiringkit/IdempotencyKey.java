package dev.hiringkit;

import dev.hiringkit.internal.db.IdempotencyKeys;
import java.util.Objects;
import java.util.Optional;

/**
 * An idempotency key for a backup or a restore ({@link dev.hiringkit.archive.Archiver#backup(IdempotencyKey,
 * Table...)}): the key (1 to 255 printable ASCII characters; a UUID is a good one) and who sends the request,
 * whose keys are theirs alone. Batches and loads take their key as {@code Batch.withIdempotencyKey} and
 * {@code LoadOptions.Builder.idempotencyKey}, scoped by their own {@code madeBy}.
 */
public record IdempotencyKey(String key, Optional<String> madeBy) {

    /** The longest key taken: a UUID (36) fits many times over, and a key is stored with every keyed request. */
    public static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        IdempotencyKeys.checkKey(key);
        madeBy = Objects.requireNonNullElse(madeBy, Optional.empty());
    }

    /** Whether {@code key} is a key: 1 to {@value #MAX_LENGTH} printable ASCII characters (space to '~'). */
    public static boolean isValid(String key) {
        return key != null && !key.isEmpty() && key.length() <= MAX_LENGTH
                && key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }

    /** A key of a caller that names no one. */
    public static IdempotencyKey of(String key) {
        return new IdempotencyKey(key, Optional.empty());
    }

    /** A key of {@code madeBy} (null: no one), as loads and batches name their sender ({@code user:alice}). */
    public static IdempotencyKey of(String key, String madeBy) {
        return new IdempotencyKey(key, Optional.ofNullable(madeBy));
    }
}
