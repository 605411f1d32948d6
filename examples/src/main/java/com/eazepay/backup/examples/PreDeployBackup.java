package com.eazepay.backup.examples;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupSetResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.files.FilesSource;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A deployment hook: backs up everything, tagged {@code pre-deploy}, prints the backup ids, and exits
 * non-zero if any source failed so the pipeline stops the deploy. Configuration from the environment:
 * <ul>
 *   <li>{@code BACKUP_REPOSITORY}: repository directory (required)</li>
 *   <li>{@code BACKUP_CONFIG_DIRS}: comma-separated directories to back up as source {@code config} (required)</li>
 *   <li>{@code BACKUP_AGE_RECIPIENTS}: comma-separated {@code age1…} recipients (required: backups are encrypted)</li>
 *   <li>{@code RELEASE}: release label (optional)</li>
 * </ul>
 * A PostgreSQL variant lives in {@code examples.postgres.PreDeployHook}.
 */
public final class PreDeployBackup {

    private PreDeployBackup() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    /** Runs the hook; returns the process exit code. */
    public static int run(java.util.Map<String, String> env) {
        String repository = env.get("BACKUP_REPOSITORY");
        String dirs = env.get("BACKUP_CONFIG_DIRS");
        String recipients = env.get("BACKUP_AGE_RECIPIENTS");
        if (repository == null || dirs == null || recipients == null) {
            System.err.println("pre-deploy backup: set BACKUP_REPOSITORY, BACKUP_CONFIG_DIRS and BACKUP_AGE_RECIPIENTS");
            return 2;
        }
        FilesSource.Builder config = FilesSource.builder("config");
        Arrays.stream(dirs.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).forEach(config::directory);
        try (BackupEngine engine = Backup.engine()
                .repository(FileSystemStorage.at(Path.of(repository)))
                .encryption(AgeEncryption.toRecipients(recipients.split(",")))
                .source(config.build())
                .build()) {
            BackupSetResult set = engine.backupAll().tag("pre-deploy").label("release", env.getOrDefault("RELEASE", "unknown")).run();
            set.succeeded().forEach((source, r) -> System.out.println("backed up " + source + ": " + r.id()));
            set.failed().forEach((source, e) -> System.err.println("FAILED " + source + ": " + e.getMessage()));
            return set.allSucceeded() ? 0 : 1;
        } catch (BackupException e) {
            System.err.println("pre-deploy backup failed: " + e.getMessage());
            return 1;
        }
    }
}
