package com.eazepay.backup.cli;

import com.eazepay.backup.config.BackupConfig;
import com.eazepay.backup.postgres.PostgresBaseBackupSource;
import com.eazepay.backup.postgres.WalArchive;

import java.util.List;

/** What {@code wal-push} and {@code wal-fetch} share: the WAL archive of a configured {@code postgres-base} source. */
final class WalCommands {

    private WalCommands() {
    }

    /**
     * The archive {@code wal/{walSource}/} in the configured repository with the configured encryption: of the
     * {@code postgres-base} source named {@code source}, or of the only one configured when {@code source} is null.
     */
    static WalArchive archive(Session s, String source) {
        List<BackupConfig.SourceEntry> bases = s.config.sources().values().stream()
                .filter(e -> e.type().equals(PostgresBaseBackupSource.TYPE)).toList();
        BackupConfig.SourceEntry entry;
        if (source == null) {
            if (bases.size() != 1) {
                throw new Main.UsageException("name the postgres-base source with --source: the configuration has "
                        + (bases.isEmpty() ? "none" : bases.stream().map(BackupConfig.SourceEntry::name).toList()));
            }
            entry = bases.get(0);
        } else {
            entry = s.requireSource(source);
            if (!entry.type().equals(PostgresBaseBackupSource.TYPE)) {
                throw new Main.UsageException("source '" + source + "' is of type " + entry.type()
                        + ", not postgres-base: only base backup sources have a WAL archive");
            }
        }
        String wal = ((PostgresBaseBackupSource) entry.source()).walSource();
        return WalArchive.builder().repository(s.config.repository()).source(wal).encryption(s.config.encryption()).build();
    }
}
