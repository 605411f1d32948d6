package com.eazepay.backup;

/**
 * What {@link Scheduler#close()} does with a job that is still running. Either way nothing half
 * done becomes visible: a backup is committed only when its manifest is stored, and an aborted one
 * deletes what it stored.
 */
public enum ShutdownPolicy {
    /** Let running jobs finish, up to the configured timeout; then abort them. */
    FINISH,
    /** Interrupt running jobs at once (a backup fails with {@code INTERRUPTED} and cleans up). */
    ABORT
}
