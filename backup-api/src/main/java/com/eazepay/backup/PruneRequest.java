package com.eazepay.backup;

import com.eazepay.backup.internal.engine.PruneOperation;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.internal.retention.Pruner;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A prune: applies each source's {@link RetentionPolicy} (set with
 * {@link BackupEngineBuilder#retention}) to the primary repository and every replica, deleting the
 * backups the plan removes (manifest first) and unfinished uploads older than the grace period.
 * Not thread-safe; use once.
 *
 * <pre>{@code
 * PruneReport plan = engine.prune().dryRun();          // nothing deleted; print plan.toTable()
 * PruneReport done = engine.prune().source("db").gracePeriod(Duration.ofHours(48)).run().orThrow();
 * }</pre>
 */
public final class PruneRequest {

    /** Default lease duration: 1 hour. A prune must finish within it, or another may take over. */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofHours(1);

    private final PruneOperation operation;
    private final Set<String> sources = new LinkedHashSet<>();
    private Duration gracePeriod = Pruner.DEFAULT_GRACE_PERIOD;
    private Duration leaseDuration = DEFAULT_LEASE_DURATION;

    PruneRequest(PruneOperation operation) {
        this.operation = operation;
    }

    /**
     * Prunes this source (may be called more than once). Default: every source with a retention
     * policy (for the primary or any replica).
     */
    public PruneRequest source(String sourceName) {
        sources.add(Objects.requireNonNull(sourceName, "sourceName"));
        return this;
    }

    /**
     * How old an unfinished upload (objects under {@code {source}/{id}/} with no manifest) must be
     * before it is removed. Default 24 hours.
     *
     * @throws IllegalArgumentException if negative
     */
    public PruneRequest gracePeriod(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace period must be >= 0, was " + grace);
        }
        this.gracePeriod = grace;
        return this;
    }

    /**
     * How long the repository lease {@code locks/prune.json} is valid; after that another process
     * may take it over. The lease is renewed before each source and target, so the prune of one
     * source on one target must fit in it; a prune whose lease was taken over stops with
     * {@code ALREADY_RUNNING}. Default {@link #DEFAULT_LEASE_DURATION} (1 hour).
     *
     * @throws IllegalArgumentException if zero or negative
     */
    public PruneRequest leaseDuration(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("lease duration must be > 0, was " + duration);
        }
        this.leaseDuration = duration;
        return this;
    }

    /**
     * Plans without deleting anything and without taking the lease.
     *
     * @throws BackupException {@code NOT_FOUND} for an unknown source, {@code INVALID_CONFIGURATION}
     *                         for a source with no retention policy, storage codes if listing fails
     */
    public PruneReport dryRun() {
        return operation.run(sources, gracePeriod, leaseDuration, true);
    }

    /**
     * Takes the repository lease, prunes the primary repository and then each replica, releases the
     * lease. Deletion failures are reported per backup in the result (call
     * {@link PruneReport#orThrow()}); running prune again finishes the job.
     *
     * @throws BackupException {@code ALREADY_RUNNING} (not retryable) naming the holder and expiry if
     *                         another prune holds the lease; {@code NOT_FOUND} for an unknown source;
     *                         {@code INVALID_CONFIGURATION} for a source with no policy; storage codes
     *                         (retryable as the storage says) if listing fails, before anything of
     *                         that target is deleted
     */
    public PruneReport run() {
        return operation.run(sources, gracePeriod, leaseDuration, false);
    }
}
