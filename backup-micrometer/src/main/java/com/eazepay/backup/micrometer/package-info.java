/**
 * Micrometer metrics for Eazepay Backup: {@link com.eazepay.backup.micrometer.BackupMetrics} is an
 * engine listener and a Micrometer {@code MeterBinder}; {@link com.eazepay.backup.micrometer.SizeAnomalyRule}
 * decides when a backup's size is anomalous.
 */
package com.eazepay.backup.micrometer;
