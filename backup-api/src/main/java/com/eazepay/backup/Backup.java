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
    public static BackupEngine.Builder engine() {
        return new BackupEngine.Builder();
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
