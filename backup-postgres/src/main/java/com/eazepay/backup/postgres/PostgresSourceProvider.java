package com.eazepay.backup.postgres;

import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;

import java.util.List;

/**
 * {@code type: postgres} in the YAML configuration. Settings (as on {@link PostgresSource.Builder}):
 * {@code jdbcUrl} or {@code host}/{@code port}/{@code database}; {@code user}; {@code password}
 * (use {@code ${PGPASSWORD}} or {@code ${file:/run/secrets/pg}}); {@code schemas}, {@code excludeSchemas},
 * {@code tables}, {@code excludeTables}, {@code excludeTableData} (lists); {@code noOwner},
 * {@code noPrivileges}, {@code noGlobals}, {@code withRolePasswords}, {@code skipRowCounts} (booleans);
 * {@code lockWaitTimeout}, {@code timeout} (durations); {@code pgDumpPath}, {@code pgRestorePath}.
 * {@code restore --to NAME} restores into a new database {@code NAME} on the source's server.
 * Stateless, thread-safe.
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
        list(s, "schemas").ifPresent(b::schemas);
        list(s, "excludeSchemas").ifPresent(b::excludeSchemas);
        list(s, "tables").ifPresent(b::tables);
        list(s, "excludeTables").ifPresent(b::excludeTables);
        list(s, "excludeTableData").ifPresent(b::excludeTableData);
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

    private static java.util.Optional<String[]> list(ConfigNode s, String key) {
        List<String> l = s.strings(key);
        return l.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(l.toArray(String[]::new));
    }

    @Override
    public RestoreTarget restoreTarget(String to, ConfigNode settings) {
        return PostgresTarget.newDatabase(to);
    }

    @Override
    public String restoreTargetHelp() {
        return "the name of a new database on the source's server (created by the restore; swap it in afterwards)";
    }
}
