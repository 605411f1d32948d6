package com.eazepay.backup.mongo;

import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;

import java.util.List;

/**
 * {@code type: mongo} in the YAML configuration. Settings (as on {@link MongoSource.Builder}):
 * {@code connectionString} (kept secret; may hold credentials, so prefer {@code ${MONGO_URL}}) or
 * {@code host}/{@code port}; {@code user}, {@code password}, {@code authDatabase}; {@code databases},
 * {@code excludeDatabases}, {@code collections}, {@code excludeCollections} (lists); {@code batchSize};
 * {@code oplog}; {@code serverSelectionTimeout}. {@code restore --to DB} restores every database of the
 * backup into {@code DB}; {@code --to same} restores each database under its own name.
 * Stateless, thread-safe.
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
        list(s, "databases").ifPresent(b::databases);
        list(s, "excludeDatabases").ifPresent(b::excludeDatabases);
        list(s, "collections").ifPresent(b::collections);
        list(s, "excludeCollections").ifPresent(b::excludeCollections);
        s.optInt("batchSize").ifPresent(b::batchSize);
        if (s.has("oplog")) {
            b.oplog(s.bool("oplog", true));
        }
        s.optDuration("serverSelectionTimeout").ifPresent(b::serverSelectionTimeout);
        return b.build();
    }

    private static java.util.Optional<String[]> list(ConfigNode s, String key) {
        List<String> l = s.strings(key);
        return l.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(l.toArray(String[]::new));
    }

    @Override
    public RestoreTarget restoreTarget(String to, ConfigNode settings) {
        return "same".equals(to) ? MongoTarget.sameDatabases() : MongoTarget.database(to);
    }

    @Override
    public String restoreTargetHelp() {
        return "a database name to restore every database of the backup into, or 'same' for their own names";
    }
}
