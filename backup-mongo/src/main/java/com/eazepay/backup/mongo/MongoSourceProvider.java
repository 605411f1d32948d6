package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;

/**
 * {@code type: mongo} in the YAML configuration. Settings (as on {@link MongoSource.Builder}):
 * {@code connectionString} (kept secret; may hold credentials, so prefer {@code ${MONGO_URL}}) or
 * {@code host}/{@code port}; {@code user}, {@code password}, {@code authDatabase}; {@code databases},
 * {@code excludeDatabases}, {@code collections}, {@code excludeCollections} (lists); {@code batchSize};
 * {@code oplog}; {@code serverSelectionTimeout}. {@code restore --to DB} restores every database of the
 * backup into {@code DB}; {@code --to same} restores each database under its own name.
 * Stateless, thread-safe.
 * <p>Restore without a configured source (disaster recovery): Restores {@code mongo} backups without a configured {@link MongoSource} (disaster recovery: {@code Backup.repository(storage)}). The target must name its server with {@link MongoTarget#on(String)}. Registered through {@code META-INF/services}; applications do not call it.
 */
public final class MongoSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "mongo";
    }

    @Override
    public BackupSource fromConfig(String name, ConfigNode s) {
        MongoSource.Builder b = MongoSource.builder().name(name);
        s.optSecret("connectionString").ifPresent(c -> b.connectionString(c.reveal()));
        s.optString("host").ifPresent(b::host);
        s.optInt("port").ifPresent(b::port);
        s.optString("user").ifPresent(b::user);
        s.optSecret("password").ifPresent(b::password);
        s.optString("authDatabase").ifPresent(b::authDatabase);
        s.optStringArray("databases").ifPresent(b::databases);
        s.optStringArray("excludeDatabases").ifPresent(b::excludeDatabases);
        s.optStringArray("collections").ifPresent(b::collections);
        s.optStringArray("excludeCollections").ifPresent(b::excludeCollections);
        s.optInt("batchSize").ifPresent(b::batchSize);
        if (s.has("oplog")) {
            b.oplog(s.bool("oplog", true));
        }
        s.optDuration("serverSelectionTimeout").ifPresent(b::serverSelectionTimeout);
        return b.build();
    }

    @Override
    public RestoreTarget restoreTarget(String to, ConfigNode settings) {
        return "same".equals(to) ? MongoTarget.sameDatabases() : MongoTarget.database(to);
    }

    @Override
    public String restoreTargetHelp() {
        return "a database name to restore every database of the backup into, or 'same' for their own names";
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
