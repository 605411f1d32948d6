package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.SourceProvider;

/**
 * Restores {@code postgres} backups without a configured {@link PostgresSource} (disaster recovery:
 * {@code Backup.repository(storage)}). The target must name its server with
 * {@link PostgresTarget#on(String, String, com.eazepay.backup.Secret)}. Registered through
 * {@code META-INF/services}; applications do not call it.
 */
public final class PostgresSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public BackupSource forRestore(Manifest manifest) {
        // placeholder settings: never used, because the check below requires the target's own server
        PostgresSource source = PostgresSource.builder().name(manifest.source()).host("restore-target.invalid")
                .database("postgres").build();
        return SourceProvider.restoreOnly(source, target -> {
            if (target instanceof PostgresTarget pt && pt.server().isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore of '" + manifest.source()
                        + "' without a configured PostgresSource: the target must name its server, "
                        + "e.g. PostgresTarget.newDatabase(\"restore_tmp\").on(jdbcUrl, user, password)");
            }
        });
    }
}
