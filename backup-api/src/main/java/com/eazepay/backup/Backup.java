package com.eazepay.backup;

/**
 * Entry point of the library.
 *
 * <pre>{@code
 * try (BackupEngine engine = Backup.engine()
 *         .repository(FileSystemStorage.at(Path.of("/var/backups/eazepay")))
 *         .encryption(AgeEncryption.toRecipients("age1..."))
 *         .source(FilesSource.builder("config").directory(Path.of("/etc/payments")).build())
 *         .build()) {
 *     BackupResult result = engine.backup("config").tag("pre-deploy").run();
 * }
 * }</pre>
 */
public final class Backup {

    private Backup() {
    }

    /** Starts configuring a {@link BackupEngine}. */
    public static BackupEngineBuilder engine() {
        return new BackupEngineBuilder();
    }

    /**
     * Starts configuring an engine over an existing repository for browsing, verifying and restoring,
     * where the original sources are not configured (disaster recovery on another host). Sources are
     * optional; {@link BackupEngine#sourcesInRepository()} lists what the repository holds, and
     * {@code restore(name)} restores into a target by type through the backup's
     * {@link com.eazepay.backup.spi.SourceProvider}:
     *
     * <pre>{@code
     * try (BackupEngine dr = Backup.repository(S3Storage.bucket("eazepay-backups").build())
     *         .encryption(AgeEncryption.toRecipients("age1ops...").withIdentityFile(keyFile)).build()) {
     *     dr.sourcesInRepository();                                    // [config, postgres]
     *     dr.restore("postgres").latest()
     *       .into(PostgresTarget.newDatabase("payments").on(jdbcUrl, user, password)).checked().run();
     * }
     * }</pre>
     */
    public static BackupEngineBuilder repository(com.eazepay.backup.spi.StorageTarget storage) {
        return new BackupEngineBuilder().browseOnly().repository(storage);
    }

    /**
     * The engine a YAML configuration file describes (the same file the command line reads): see
     * {@link com.eazepay.backup.config.BackupConfig} for the format. {@code ${NAME}} values come from
     * the environment, {@code ${file:/path}} from files. Storage clients the file creates live as long
     * as the process; use {@link com.eazepay.backup.config.BackupConfig#load} to close them yourself.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem with its line and column
     */
    public static BackupEngine engineFrom(java.nio.file.Path configFile) {
        return com.eazepay.backup.config.BackupConfig.load(configFile).engine();
    }
}
