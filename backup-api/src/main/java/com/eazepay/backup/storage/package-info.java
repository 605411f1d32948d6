/**
 * Built-in storage: {@link com.eazepay.backup.storage.FileSystemStorage} (atomic, fsynced, hard-link
 * {@code putIfAbsent}) and the {@link com.eazepay.backup.storage.RetryingStorage} wrapper with its
 * {@link com.eazepay.backup.storage.RetryPolicy} and injectable {@link com.eazepay.backup.storage.Sleeper}.
 * Cloud storage lives in the backup-storage-s3 and backup-storage-gcs modules.
 */
package com.eazepay.backup.storage;
