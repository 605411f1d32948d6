package com.eazepay.backup.spi;

/**
 * Storage capability: {@link StorageTarget#put} honours {@link PutOptions#retainUntil()} by making the
 * object immutable and undeletable until then (S3 Object Lock, GCS object retention or a bucket retention
 * policy). A storage without it ignores the date, so the engine refuses to promise object lock on it.
 *
 * <p>Found with {@code storage.capability(ObjectLock.class)}, through any wrappers. Thread-safe.
 */
public interface ObjectLock {

    /** The store's lock mode for logs and reports, e.g. {@code S3 Object Lock GOVERNANCE}; no credentials. */
    String lockMode();
}
