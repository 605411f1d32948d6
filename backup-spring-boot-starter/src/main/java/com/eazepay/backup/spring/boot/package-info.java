/**
 * Spring Boot auto-configuration for Eazepay Backup: {@link com.eazepay.backup.spring.boot.BackupAutoConfiguration}
 * builds the engine from {@code eazepay.backup.*} properties through the shared configuration model
 * ({@link com.eazepay.backup.config.BackupConfig}); {@link com.eazepay.backup.spring.boot.BackupsEndpoint},
 * {@link com.eazepay.backup.spring.boot.BackupHealthIndicator} and backup-micrometer's {@code BackupMetrics}
 * report on it. See the module README.
 */
package com.eazepay.backup.spring.boot;
