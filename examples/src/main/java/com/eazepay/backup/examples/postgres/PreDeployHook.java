package com.eazepay.backup.examples.postgres;

import com.eazepay.backup.BackupEngineBuilder;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.Secret;
import com.eazepay.backup.Trigger;
import com.eazepay.backup.postgres.PostgresSource;
import com.eazepay.backup.spi.Encryption;

import java.nio.file.Path;
import java.util.Map;

/**
 * A deployment-pipeline step: takes a {@code pre-deploy} backup of PostgreSQL and prints its id; exits
 * non-zero if the backup failed, so the pipeline stops before deploying.
 *
 * <p>Environment: {@code PGHOST} (default localhost), {@code PGPORT} (5432), {@code PGDATABASE}, {@code PGUSER},
 * {@code PGPASSWORD}, {@code BACKUP_REPOSITORY} (a directory), {@code BACKUP_AGE_RECIPIENT} (optional
 * {@code age1…}; without it the backup is stored unencrypted, with a warning), {@code RELEASE} or the first
 * argument (the release label).
 *
 * <pre>
 * PGDATABASE=payments PGUSER=backup PGPASSWORD=… BACKUP_REPOSITORY=/srv/backups BACKUP_AGE_RECIPIENT=age1… \
 *   java -cp examples.jar com.eazepay.backup.examples.postgres.PreDeployHook 1.4.2
 * </pre>
 */
public final class PreDeployHook {

    private PreDeployHook() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        try {
            String release = args.length > 0 ? args[0] : env.getOrDefault("RELEASE", "unknown");
            PostgresSource.Builder source = PostgresSource.builder().name("postgres")
                    .host(env.getOrDefault("PGHOST", "localhost"))
                    .port(Integer.parseInt(env.getOrDefault("PGPORT", "5432")))
                    .database(required(env, "PGDATABASE"));
            if (env.get("PGUSER") != null) {
                source.user(env.get("PGUSER"));
            }
            if (env.get("PGPASSWORD") != null) {
                source.password(Secret.of(env.get("PGPASSWORD")));
            }
            BackupEngineBuilder builder = Backup.engine()
                    .repository(FileSystemStorage.at(Path.of(required(env, "BACKUP_REPOSITORY"))))
                    .source(source.build());
            String recipient = env.get("BACKUP_AGE_RECIPIENT");
            if (recipient != null && !recipient.isBlank()) {
                builder.encryption(AgeEncryption.toRecipients(recipient.trim()));
            } else {
                System.err.println("WARNING: BACKUP_AGE_RECIPIENT is not set: the dump is stored UNENCRYPTED");
                builder.encryption(Encryption.none()).allowUnencryptedSensitiveData();
            }
            try (BackupEngine engine = builder.build()) {
                BackupResult result = engine.backup("postgres").trigger(Trigger.PRE_DEPLOY).tag("pre-deploy")
                        .label("release", release).run();
                System.out.println(result.id());
                System.err.printf("pre-deploy backup %s of %s: %d bytes stored (%d bytes of dump), %s%n",
                        result.id(), env.get("PGDATABASE"), result.storedBytes(), result.plaintextBytes(), result.duration());
            }
        } catch (BackupException e) {
            System.err.println("pre-deploy backup FAILED [" + e.errorCode().name() + "]: " + e.getMessage());
            System.exit(2);
        } catch (RuntimeException e) {
            System.err.println("pre-deploy backup FAILED: " + e);
            System.exit(1);
        }
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is required");
        }
        return v;
    }
}
