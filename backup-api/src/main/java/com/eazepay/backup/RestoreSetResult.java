package com.eazepay.backup;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of {@code engine.restoreSet(setId)}: every source's restore of the set.
 *
 * @param setId    the restored set
 * @param restored results by source name, in the order restored
 * @param failed   failures by source name
 */
public record RestoreSetResult(String setId, Map<String, RestoreResult> restored, Map<String, BackupException> failed) {
    public RestoreSetResult {
        Objects.requireNonNull(setId, "setId");
        restored = Collections.unmodifiableMap(new LinkedHashMap<>(restored));
        failed = Collections.unmodifiableMap(new LinkedHashMap<>(failed));
    }

    /** Whether every backup of the set was restored. */
    public boolean allSucceeded() {
        return failed.isEmpty();
    }

    /**
     * Throws the first failure (with the others suppressed) if any restore failed.
     *
     * @return this, when everything was restored
     */
    public RestoreSetResult orThrow() {
        if (failed.isEmpty()) {
            return this;
        }
        var it = failed.entrySet().iterator();
        var first = it.next();
        BackupException e = new BackupException(first.getValue().errorCode(), failed.size() + " of "
                + (failed.size() + restored.size()) + " restores failed for backup set " + setId + " (restored: "
                + restored.keySet() + "); first: " + first.getKey() + ": " + first.getValue().getMessage(), first.getValue());
        it.forEachRemaining(f -> e.addSuppressed(f.getValue()));
        throw e;
    }
}
