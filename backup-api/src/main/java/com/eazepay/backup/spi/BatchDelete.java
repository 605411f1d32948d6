package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;

import java.util.Collection;

/**
 * Storage capability: deletes many objects in few requests (S3 {@code DeleteObjects}, GCS batch requests).
 *
 * <p>Found with {@code storage.capability(BatchDelete.class)}, through any wrappers. Thread-safe.
 */
@FunctionalInterface
public interface BatchDelete {

    /**
     * Deletes every key; missing keys are not errors. Every key is attempted before failures are reported.
     *
     * @throws BackupException {@code STORAGE_FAILED} naming the keys that could not be deleted and why
     *                         (retryable as the first failure)
     */
    void deleteAll(Collection<String> keys);
}
