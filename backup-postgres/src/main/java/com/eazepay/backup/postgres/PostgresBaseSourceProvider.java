package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;

import java.nio.file.Path;

/**
 * {@code type: postgres-base} in the YAML configuration: physical base backups for point-in-time recovery
 * ({@link PostgresBaseBackupSource}). Settings: {@code host} (required), {@code port}, {@code user} (a role with
 * REPLICATION), {@code password} (use {@code ${file:/run/secrets/pg}}), {@code walSource} (the WAL archive's name,
 * default the source's name), {@code binDirectory}, {@code timeout}, {@code verifyTempDirectory} (where integrity
 * verification extracts a base backup for pg_verifybackup), {@code scratchDirectory} (where restore tests and
 * drills recover it). {@code restore SOURCE --to DATADIR} recovers
 * into a new data directory {@code DATADIR}, replaying the repository's WAL archive to its end
 * ({@link PitrTarget#dataDirectory(Path)}). Registered through {@code META-INF/services}; stateless, thread-safe.
 */
public final class PostgresBaseSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return PostgresBaseBackupSource.TYPE;
    }

    @Override
    public BackupSource fromConfig(String name, ConfigNode s) {
        PostgresBaseBackupSource.Builder b = PostgresBaseBackupSource.builder().name(name);
        s.optString("host").ifPresent(b::host);
        s.optInt("port").ifPresent(b::port);
        s.optString("user").ifPresent(b::user);
        s.optSecret("password").ifPresent(b::password);
        s.optString("walSource").ifPresent(b::walSource);
        s.optPath("binDirectory").ifPresent(b::binDirectory);
        s.optDuration("timeout").ifPresent(b::timeout);
        s.optPath("verifyTempDirectory").ifPresent(b::verifyTempDirectory);
        s.optPath("scratchDirectory").ifPresent(b::scratchDirectory);
        return b.build();
    }

    @Override
    public RestoreTarget restoreTarget(String to, ConfigNode settings) {
        if (to == null || to.isBlank()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore of a " + type()
                    + " backup needs --to DATADIR: a new (absent or empty) data directory");
        }
        return PitrTarget.dataDirectory(Path.of(to));
    }

    @Override
    public String restoreTargetHelp() {
        return "a new (absent or empty) data directory, recovered with the repository's WAL archive to its end";
    }

    @Override
    public BackupSource forRestore(Manifest manifest) {
        // placeholder server: a restore reads the repository only (base backup and WAL archive), never the server
        Object wal = manifest.facts().get(PostgresBaseBackupSource.WAL_SOURCE_FACT);
        PostgresBaseBackupSource.Builder b = PostgresBaseBackupSource.builder().name(manifest.source())
                .host("restore-target.invalid");
        if (wal instanceof String w) {
            b.walSource(w);
        }
        return SourceProvider.restoreOnly(b.build(), target -> {
            if (!(target instanceof PitrTarget)) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "a " + type() + " backup restores into"
                        + " a PitrTarget (a new data directory), not " + target.describe());
            }
        });
    }
}
