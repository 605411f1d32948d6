package com.eazepay.backup.redis;

import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.SourceProvider;

/**
 * Restores {@code redis} backups without a configured {@link RedisSource} (disaster recovery:
 * {@code Backup.repository(storage)}): a {@link RedisTarget} always names its server or file.
 * Registered through {@code META-INF/services}; applications do not call it.
 */
public final class RedisSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "redis";
    }

    @Override
    public BackupSource forRestore(Manifest manifest) {
        // placeholder server: a redis restore reads only the target
        RedisSource source = RedisSource.builder().name(manifest.source()).host("restore-target.invalid").build();
        return SourceProvider.restoreOnly(source, target -> { });
    }
}
