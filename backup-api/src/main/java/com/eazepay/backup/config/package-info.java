/**
 * The YAML configuration shared by services ({@link com.eazepay.backup.Backup#engineFrom(java.nio.file.Path)})
 * and the command line: {@link com.eazepay.backup.config.BackupConfig} reads a file into an engine, with
 * {@code ${ENV}} and {@code ${file:/path}} substitution for secrets, errors with line and column, and
 * plug-ins found by {@code type:} through {@link com.eazepay.backup.spi.SourceProvider} and
 * {@link com.eazepay.backup.spi.StorageProvider}.
 */
package com.eazepay.backup.config;
