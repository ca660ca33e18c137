package dev.hiringkit;

import java.time.Duration;
import java.util.Optional;

/**
 * Where reads (reports and lookups) go now, and why: the read replica when one is configured, reachable
 * and no further behind the primary than the allowed maximum, else the primary. For health pages and
 * metrics; {@link HiringKit#replicaStatus()} gives it.
 *
 * @param readsFrom the side reads go to now
 * @param reason why they go there
 * @param lag how far the replica's data is behind the primary's, as last measured plus the time since
 *     (empty when there is no replica or it could not be measured)
 * @param maxLag the most lag reads from the replica tolerate
 */
public record ReplicaStatus(ReadsFrom readsFrom, Reason reason, Optional<Duration> lag, Duration maxLag) {

    /** The database a read goes to. */
    public enum ReadsFrom {
        PRIMARY,
        REPLICA
    }

    /** Why reads go where they go. */
    public enum Reason {
        /** No read replica is configured: everything uses the primary. */
        NO_REPLICA,
        /** The replica is reachable and at most {@code maxLag} behind. */
        CAUGHT_UP,
        /** The replica's lag has not been measured yet (just started, or not used for a while). */
        NOT_MEASURED,
        /** The replica is more than {@code maxLag} behind the primary. */
        TOO_FAR_BEHIND,
        /** The replica could not be reached (or answered with an error). */
        UNREACHABLE,
        /** The read database is not a standby in recovery (promoted, or not a replica at all). */
        NOT_A_STANDBY,
        /** The primary's WAL position could not be read, so the replica's lag is unknown. */
        PRIMARY_UNREACHABLE
    }
}
