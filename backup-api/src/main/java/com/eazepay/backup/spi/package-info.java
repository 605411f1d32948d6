/**
 * What plug-in authors implement: {@link com.eazepay.backup.spi.BackupSource} (a data store),
 * {@link com.eazepay.backup.spi.StorageTarget} (where backups are stored),
 * {@link com.eazepay.backup.spi.Compression} and {@link com.eazepay.backup.spi.Encryption} (stream
 * codecs; a third-party compression registers a {@link com.eazepay.backup.spi.CompressionProvider} for
 * {@link java.util.ServiceLoader} so its backups stay restorable), storage capabilities found with
 * {@code StorageTarget.capability(..)} ({@link com.eazepay.backup.spi.ObjectLock},
 * {@link com.eazepay.backup.spi.LegalHolds}, {@link com.eazepay.backup.spi.DeletionGuard},
 * {@link com.eazepay.backup.spi.BatchDelete}), {@link com.eazepay.backup.spi.ForwardingStorage} (the base of every
 * storage wrapper, which keeps capabilities), plus helpers two plug-ins need
 * ({@link com.eazepay.backup.spi.ChildProcess}, {@link com.eazepay.backup.spi.SourceNames}). Every
 * implementation proves itself by extending the contract suites in {@code backup-test}
 * ({@code StorageContract}, {@code SourceContract}).
 */
package com.eazepay.backup.spi;
