package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;

import java.util.Optional;

/**
 * Storage capability: tells whether an object may be deleted now. A store with holds or retention (GCS
 * temporary and event-based holds, object retention, bucket retention policy) refuses to delete such an
 * object; prune asks first, and skips and reports a held backup instead of failing on it.
 *
 * <p>Found with {@code storage.capability(DeletionGuard.class)}, through any wrappers. Thread-safe.
 */
@FunctionalInterface
public interface DeletionGuard {

    /**
     * Why the object under {@code key} cannot be deleted now (e.g. {@code "a temporary hold (release: ...)"}),
     * or empty if it can be deleted or does not exist.
     *
     * @throws BackupException {@code STORAGE_*} if the store cannot be asked (retryable as it says)
     */
    Optional<String> deletionBlocker(String key);
}
