package com.eazepay.backup;

import java.time.Instant;
import java.util.List;

/**
 * Runs an engine's recurring jobs (the backups of scheduled sources, prune, verification, off-site
 * copy) on a bounded pool of named daemon threads. Obtained from {@link BackupEngine#scheduler()};
 * closed by {@link BackupEngine#close()} too.
 *
 * <p><b>One run per slot across processes.</b> Every replica of a service that shares the
 * repository runs the same scheduler. For each slot a job runs in exactly one of them: the first to
 * create the slot's lease {@code locks/schedule/{job}/{slot}.json} with a conditional put runs it
 * (renewing the lease while it runs), and records the outcome in
 * {@code reports/schedule/{job}/{slot}.json}; the others see the lease or the record and skip the
 * slot. A lease whose holder died is taken over after it expires (plus the clock-skew margin), or
 * at once when the holder ran on this host and its process is gone; never before. A slot that no
 * replica ran (all were down) is caught up once, when a scheduler finds the latest slot unrun,
 * overdue by more than the grace period and the last success older than the interval plus the
 * grace; older missed slots are never run (no burst of catch-ups).
 *
 * <p>Thread-safe. {@link #close()} is idempotent; a closed scheduler cannot be restarted.
 */
public interface Scheduler extends AutoCloseable {

    /**
     * Starts the scheduler's thread, which wakes when the next job is due (and at least once a
     * minute, to re-check slots another replica holds). Idempotent.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if the scheduler or engine is closed
     */
    Scheduler start();

    /**
     * Runs, on the scheduler's threads, every job whose slot is due at the engine clock's now and
     * waits for them: one step of what the started scheduler does on its own. For tests driven by a
     * test clock, and for a "run what is due, then exit" command.
     *
     * @return what was decided for each due job, in job order
     */
    List<SlotRun> runDue();

    /** Whether {@link #start()} was called and {@link #close()} not yet. */
    boolean isRunning();

    /**
     * Stops the scheduler: no new job starts; running jobs finish or are aborted by the engine's
     * {@link ShutdownPolicy} and timeout. Returns when they ended. Idempotent.
     */
    @Override
    void close();

    /** What happened to one job's slot in {@link #runDue()}. */
    enum Outcome {
        /** This process ran the job and it succeeded. */
        SUCCEEDED,
        /** This process ran the job and it failed (recorded; the slot is not retried). */
        FAILED,
        /** Another process ran the slot (its record exists). */
        DONE_ELSEWHERE,
        /** Another process holds the slot's lease; the slot is checked again later. */
        HELD_ELSEWHERE,
        /** A missed slot not caught up: the last success is recent enough. */
        SKIPPED_RECENT_SUCCESS,
        /** The job was aborted by {@link #close()}; nothing recorded, another replica may run the slot. */
        ABORTED
    }

    /**
     * One job's slot.
     *
     * @param job     {@code backup-{source}}, {@code prune}, {@code verify} or {@code copy}
     * @param slot    the scheduled instant
     * @param catchUp whether the slot was overdue by more than the grace period (a catch-up)
     * @param outcome what happened
     * @param detail  the backup id, the failure's code and message, or who holds the lease
     */
    record SlotRun(String job, Instant slot, boolean catchUp, Outcome outcome, String detail) {
    }
}
