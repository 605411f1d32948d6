package com.eazepay.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 */
public record RestoreTestReport(String testId, Manifest manifest, String scratch, List<CheckResult> checks, String failure,
                                boolean dropped, String cleanupFailure, Instant startedAt, Duration duration) {
    public RestoreTestReport {
        Objects.requireNonNull(testId, "testId");
        Objects.requireNonNull(manifest, "manifest");
        checks = List.copyOf(checks);
    }

    /** Whether the restore succeeded and every check passed (cleanup is reported separately: {@link #dropped()}). */
    public boolean passed() {
        return failure == null && checks.stream().allMatch(CheckResult::passed);
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
        String what = failure != null ? "the restore failed: " + failure
                : "checks failed: " + checks.stream().filter(c -> !c.passed()).map(c -> c.name() + " (" + c.detail() + ")").toList();
        throw new BackupException(CoreErrorCode.CHECK_FAILED, "restore test " + testId + " of backup " + manifest.id() + " of '"
                + manifest.source() + "' into " + scratch + " failed: " + what + "; the backup may not be restorable: take a new one"
                + " and investigate (engine.verify(..).integrity())");
    }
}
