package dev.hiringkit.repository;

/** Where a load stands, as the loads table records it. */
public enum LoadStatus {
    /** Running now, or stopped with its process (a later load of the same source resumes it). */
    RUNNING,
    /** Every record was read: stored or rejected. */
    DONE,
    /** Stopped by a failure; a later load of the same source resumes after its last committed chunk. */
    FAILED
}
