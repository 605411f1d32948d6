/**
 * Eazepay Backup: what applications call. Start with {@link com.eazepay.backup.Backup#engine()}; the
 * {@link com.eazepay.backup.BackupEngine} class Javadoc has a complete example. This package holds the
 * facade, its requests, results, events and errors, {@link com.eazepay.backup.Secret} and
 * {@link com.eazepay.backup.Codecs}; every failure is a {@link com.eazepay.backup.BackupException} with an
 * {@link com.eazepay.backup.ErrorCode}. Built-ins sit beside the plug-ins they resemble:
 * {@code .age} (encryption), {@code .retention} (policies and plans), {@code .files} (files and command
 * sources and targets), {@code .storage} (filesystem storage, retries). Plug-in authors implement
 * {@code .spi}; {@code .internal} carries no compatibility promise.
 */
package com.eazepay.backup;
