/**
 * Built-in storage: {@link com.eazepay.backup.storage.FileSystemStorage} (atomic, fsynced, hard-link
 * {@code putIfAbsent}) and the {@link com.eazepay.backup.storage.RetryingStorage} wrapper with its
 * {@link com.eazepay.backup.storage.RetryPolicy} and injectable {@link com.eazepay.backup.storage.Sleeper}.
 * {@code RetryingStorage} is a {@link com.eazepay.backup.spi.ForwardingStorage}, so the wrapped storage's
 * capabilities (object lock, holds, ...) pass through; it is for storages that do not retry themselves.
 * Cloud storage lives in the backup-storage-s3 and backup-storage-gcs modules, which retry internally and
 * are not to be wrapped in it.
 */
package com.eazepay.backup.storage;
