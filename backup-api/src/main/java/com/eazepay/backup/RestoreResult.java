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
 * @param duration wall time
 */
public record RestoreResult(Manifest manifest, String location, List<CheckResult> checks, Map<String, Object> facts,
                            Duration duration) {
    public RestoreResult {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(location, "location");
        checks = List.copyOf(checks);
        facts = Map.copyOf(facts);
        Objects.requireNonNull(duration, "duration");
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
