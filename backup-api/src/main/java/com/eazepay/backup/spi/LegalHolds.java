package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;

/**
 * Storage capability: the store's own legal hold on one object (S3 Object Lock legal hold, GCS temporary
 * hold). While held, the object cannot be deleted or overwritten, even by a client that ignores the
 * repository's hold markers. A storage without it has only the repository's markers.
 *
 * <p>Found with {@code storage.capability(LegalHolds.class)}, through any wrappers. Thread-safe.
 */
@FunctionalInterface
public interface LegalHolds {

    /**
     * Places ({@code true}) or lifts ({@code false}) the hold on the object under {@code key}. Idempotent.
     *
     * @throws BackupException {@code NOT_FOUND} for a missing object; {@code STORAGE_*} as the storage's
     *                         other calls (retryable as they say)
     */
    void setLegalHold(String key, boolean hold);
}
