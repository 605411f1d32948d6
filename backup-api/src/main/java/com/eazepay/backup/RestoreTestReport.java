package com.eazepay.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a restore test ({@code engine.verify(source).restoreTest()}): the backup restored into a
 * throw-away target, the source's checks and the user's checks run, the target dropped. Recorded as JSON
 * under {@code reports/verify/} in the repository.
 *
 * @param testId    the test's id (also in the scratch target's name, e.g. {@code restoretest_<id>})
 * @param manifest  the tested backup
 * @param scratch   the throw-away target, as the source named it
 * @param checks    every check run after the restore (empty if the restore itself failed)
 * @param failure   why the restore failed ({@code ERROR_CODE: message}), or null
 * @param dropped   whether the scratch target was dropped (false: see {@code cleanupFailure}; the cleanup
 *                  journal under {@code locks/cleanup/} stays and the next restore test retries)
 * @param cleanupFailure why dropping failed, or null
 * @param startedAt when the test started (engine clock)
 * @param duration  wall time of restore and checks
 * @param stages    wall time per stage, in order: {@code restore} (fetch, SHA-256, decrypt, decompress, load) and
 *                  {@code checks} (the source's and the user's checks) when the source times them apart, else one
 *                  {@code restore+checks}; then {@code swap} when one was asked for and {@code cleanup} (dropping the
 *                  scratch target, deleting the cleanup journal); stages not reached are absent
 * @param swap      the swap into place a corruption drill asked for, or null when none was asked for
 * @param facts     what the source reported of the restore ({@link RestoreResult#facts()}), e.g. the point a
 *                  point-in-time recovery replayed to ({@link com.eazepay.backup.spi.RestoreOutcome#RECOVERED_TO}), from
 *                  which a drill measures the data age; empty when the restore failed
 */
public record RestoreTestReport(String testId, Manifest manifest, String scratch, List<CheckResult> checks, String failure,
                                boolean dropped, String cleanupFailure, Instant startedAt, Duration duration,
                                Map<String, Duration> stages, Swap swap, Map<String, Object> facts) {
    public RestoreTestReport {
        Objects.requireNonNull(testId, "testId");
        Objects.requireNonNull(manifest, "manifest");
        checks = List.copyOf(checks);
        stages = stages == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(stages));
        facts = facts == null ? Map.of() : Map.copyOf(facts);
    }

    /** Without the restore's facts. */
    public RestoreTestReport(String testId, Manifest manifest, String scratch, List<CheckResult> checks, String failure,
                             boolean dropped, String cleanupFailure, Instant startedAt, Duration duration,
                             Map<String, Duration> stages, Swap swap) {
        this(testId, manifest, scratch, checks, failure, dropped, cleanupFailure, startedAt, duration, stages, swap, null);
    }

    /** Without stage timings and swap. */
    public RestoreTestReport(String testId, Manifest manifest, String scratch, List<CheckResult> checks, String failure,
                             boolean dropped, String cleanupFailure, Instant startedAt, Duration duration) {
        this(testId, manifest, scratch, checks, failure, dropped, cleanupFailure, startedAt, duration, null, null, null);
    }

    /**
     * A swap into place that was asked for.
     *
     * @param swapped  whether the restored data is now live
     * @param live     where it is live, or null if not swapped
     * @param previous where the previous live data was kept, or null if not swapped
     * @param failure  why it was not swapped (the source cannot swap, the checks failed, the swap failed), or null
     */
    public record Swap(boolean swapped, String live, String previous, String failure) {
        /** One line for reports: {@code swapped into X; previous kept as Y} or {@code NOT swapped: why}. */
        public String describe() {
            return swapped ? "swapped into " + live + "; previous kept as " + previous : "NOT swapped: " + failure;
        }
    }

    /**
     * Whether the restore succeeded, every check passed and, when a swap was asked for, the swap happened (cleanup is
     * reported separately: {@link #dropped()}).
     */
    public boolean passed() {
        return failure == null && checks.stream().allMatch(CheckResult::passed) && (swap == null || swap.swapped());
    }

    /**
     * Throws {@code CHECK_FAILED} naming the failed checks, or the restore's failure, if the test did not pass.
     *
     * @return this, when it passed
     */
    public RestoreTestReport orThrow() {
        if (passed()) {
            return this;
        }
        if (failure == null && checks.stream().allMatch(CheckResult::passed)) {
            throw new BackupException(CoreErrorCode.CHECK_FAILED, "restore test " + testId + " of backup " + manifest.id()
                    + " of '" + manifest.source() + "' restored and checked into " + scratch + ", but " + swap.describe()
                    + "; the live data was not replaced");
        }
        String what = failure != null ? "the restore failed: " + failure
                : "checks failed: " + checks.stream().filter(c -> !c.passed()).map(c -> c.name() + " (" + c.detail() + ")").toList();
        throw new BackupException(CoreErrorCode.CHECK_FAILED, "restore test " + testId + " of backup " + manifest.id() + " of '"
                + manifest.source() + "' into " + scratch + " failed: " + what + "; the backup may not be restorable: take a new one"
                + " and investigate (engine.verify(..).integrity())");
    }
}
