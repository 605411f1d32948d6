package com.eazepay.backup;

import java.util.Map;
import java.util.Objects;

/**
 * The outcome of {@code engine.backupAll()}: every source's backup under one set id.
 *
 * @param setId     shared by every backup of the set (recorded in their manifests)
 * @param succeeded committed backups by source name, in the order taken
 * @param failed    failures by source name; nothing of those was committed
 */
public record BackupSetResult(String setId, Map<String, BackupResult> succeeded, Map<String, BackupException> failed) {
    public BackupSetResult {
        Objects.requireNonNull(setId, "setId");
        succeeded = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(succeeded));
        failed = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(failed));
    }

    /** Whether every source was backed up. */
    public boolean allSucceeded() {
        return failed.isEmpty();
    }

    /**
     * Throws the first failure (with the others suppressed) if any source failed; for callers
     * such as deployment hooks that must stop on any failure.
     *
     * @return this, when everything succeeded
     */
    public BackupSetResult orThrow() {
        if (failed.isEmpty()) {
            return this;
        }
        var it = failed.entrySet().iterator();
        var first = it.next();
        BackupException e = new BackupException(first.getValue().errorCode(), failed.size() + " of "
                + (failed.size() + succeeded.size()) + " sources failed in backup set " + setId + "; first: "
                + first.getKey() + ": " + first.getValue().getMessage(), first.getValue());
        it.forEachRemaining(f -> e.addSuppressed(f.getValue()));
        throw e;
    }
}
