package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;

/**
 * {@code type: postgres} in the YAML configuration. Settings (as on {@link PostgresSource.Builder}):
 * {@code jdbcUrl} or {@code host}/{@code port}/{@code database}; {@code user}; {@code password}
 * (use {@code ${PGPASSWORD}} or {@code ${file:/run/secrets/pg}}); {@code schemas}, {@code excludeSchemas},
 * {@code tables}, {@code excludeTables}, {@code excludeTableData} (lists); {@code noOwner},
 * {@code noPrivileges}, {@code noGlobals}, {@code withRolePasswords}, {@code skipRowCounts} (booleans);
 * {@code lockWaitTimeout}, {@code timeout} (durations); {@code pgDumpPath}, {@code pgRestorePath}.
 * {@code restore --to NAME} restores into a new database {@code NAME} on the source's server.
 * Stateless, thread-safe.
 * <p>Restore without a configured source (disaster recovery): Restores {@code postgres} backups without a configured {@link PostgresSource} (disaster recovery: {@code Backup.repository(storage)}). The target must name its server with {@link PostgresTarget#on(String, String, com.eazepay.backup.Secret)}. Registered through {@code META-INF/services}; applications do not call it.
 */
public final class PostgresSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public BackupSource fromConfig(String name, ConfigNode s) {
        PostgresSource.Builder b = PostgresSource.builder().name(name);
        s.optString("jdbcUrl").ifPresent(b::jdbcUrl);
        s.optString("host").ifPresent(b::host);
        s.optInt("port").ifPresent(b::port);
        s.optString("database").ifPresent(b::database);
        s.optString("user").ifPresent(b::user);
        s.optSecret("password").ifPresent(b::password);
        s.optStringArray("schemas").ifPresent(b::schemas);
        s.optStringArray("excludeSchemas").ifPresent(b::excludeSchemas);
        s.optStringArray("tables").ifPresent(b::tables);
        s.optStringArray("excludeTables").ifPresent(b::excludeTables);
        s.optStringArray("excludeTableData").ifPresent(b::excludeTableData);
        if (s.bool("noOwner", false)) {
            b.noOwner();
        }
        if (s.bool("noPrivileges", false)) {
            b.noPrivileges();
        }
        if (s.bool("noGlobals", false)) {
            b.noGlobals();
        }
        if (s.bool("withRolePasswords", false)) {
            b.withRolePasswords();
        }
        if (s.bool("skipRowCounts", false)) {
            b.skipRowCounts();
        }
        s.optDuration("lockWaitTimeout").ifPresent(b::lockWaitTimeout);
        s.optDuration("timeout").ifPresent(b::timeout);
        s.optPath("pgDumpPath").ifPresent(b::pgDumpPath);
        s.optPath("pgRestorePath").ifPresent(b::pgRestorePath);
        return b.build();
    }

    @Override
    public RestoreTarget restoreTarget(String to, ConfigNode settings) {
        return PostgresTarget.newDatabase(to);
    }

    @Override
    public String restoreTargetHelp() {
        return "the name of a new database on the source's server (created by the restore; swap it in afterwards)";
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
