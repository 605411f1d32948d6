package com.eazepay.backup;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A finished restore.
 *
 * @param manifest the backup that was restored
 * @param location where the data now is (credential-free)
 * @param checks   post-restore checks, in order
 * @param facts    facts reported by the source (rows restored, keys loaded)
 * @param duration wall time, restore and checks
 * @param checkDuration wall time of the checks alone (part of {@code duration}), or null when the source does not
 *                 time them apart ({@link com.eazepay.backup.spi.RestoreContext#checksStarted()}) or ran none
 */
public record RestoreResult(Manifest manifest, String location, List<CheckResult> checks, Map<String, Object> facts,
                            Duration duration, Duration checkDuration) {
    public RestoreResult {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(location, "location");
        checks = List.copyOf(checks);
        facts = Map.copyOf(facts);
        Objects.requireNonNull(duration, "duration");
    }

    /** Without a separate check time. */
    public RestoreResult(Manifest manifest, String location, List<CheckResult> checks, Map<String, Object> facts,
                         Duration duration) {
        this(manifest, location, checks, facts, duration, null);
    }

    /**
     * Wall time per stage: {@code restore} and {@code checks} when the source timed its checks apart, else one
     * {@code restore+checks}.
     */
    public Map<String, Duration> stages() {
        Map<String, Duration> stages = new java.util.LinkedHashMap<>();
        if (checkDuration != null) {
            stages.put("restore", duration.minus(checkDuration));
            stages.put("checks", checkDuration);
        } else {
            stages.put("restore+checks", duration);
        }
        return java.util.Collections.unmodifiableMap(stages);
    }

    /** The restored backup's id. */
    public String backupId() {
        return manifest.id();
    }

    /** Whether every check passed (true when no checks ran). */
    public boolean checksPassed() {
        return checks.stream().allMatch(CheckResult::passed);
    }

    /**
     * Throws {@code CHECK_FAILED} naming every failed check, for callers that ran the restore without
     * {@link RestoreRequest#checked()} and decide afterwards. The restored data stays where it is.
     *
     * @return this, when every check passed (or none ran)
     */
    public RestoreResult orThrow() {
        List<CheckResult> failed = checks.stream().filter(c -> !c.passed()).toList();
        if (failed.isEmpty()) {
            return this;
        }
        throw new BackupException(CoreErrorCode.CHECK_FAILED, "restore of backup " + manifest.id() + " into " + location
                + " finished but checks failed: " + failed.stream().map(c -> c.name() + " (" + c.detail() + ")").toList()
                + "; the restored data was kept there for inspection");
    }
}
