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
}
