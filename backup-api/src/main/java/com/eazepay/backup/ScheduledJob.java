package com.eazepay.backup;

import java.time.Instant;

/**
 * The action of a recurring job that is not a backup (verification, restore test, off-site copy),
 * called by the {@link Scheduler} once per slot in the one process that holds the slot's lease.
 * Throwing a {@link BackupException} (or any runtime exception) records the slot as failed; returning
 * records it as succeeded. Implementations are called from a scheduler thread, never concurrently
 * with themselves in one engine.
 */
@FunctionalInterface
public interface ScheduledJob {

    /**
     * Runs the job.
     *
     * @param engine the engine whose scheduler runs the job
     * @param slot   the scheduled instant being run (not the current time)
     */
    void run(BackupEngine engine, Instant slot);
}
