package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.SourceProvider;

/**
 * Restores {@code mongo} backups without a configured {@link MongoSource} (disaster recovery:
 * {@code Backup.repository(storage)}). The target must name its server with
 * {@link MongoTarget#on(String)}. Registered through {@code META-INF/services}; applications do not call it.
 */
public final class MongoSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "mongo";
    }

    @Override
    public BackupSource forRestore(Manifest manifest) {
        // placeholder server: never used, because the check below requires the target's own server
        MongoSource source = MongoSource.builder().name(manifest.source()).host("restore-target.invalid").build();
        return SourceProvider.restoreOnly(source, target -> {
            if (target instanceof MongoTarget mt && mt.connection() == null) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore of '" + manifest.source()
                        + "' without a configured MongoSource: the target must name its server, "
                        + "e.g. MongoTarget.database(\"restore_tmp\").on(\"mongodb://host:27017\")");
            }
        });
    }
}
