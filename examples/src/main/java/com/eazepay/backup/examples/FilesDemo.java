package com.eazepay.backup.examples;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.VerificationReport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

/**
 * The dependency-free demo: backs up a sample configuration directory (application config, an env
 * file, a TLS key) into {@code ./demo-repository}, encrypted with a demo age key written to
 * {@code ./demo-identity.txt}, verifies it, restores it into a temporary directory, compares every
 * file, and prints a summary. Run with {@code scripts/demo files}.
 */
public final class FilesDemo {

    private FilesDemo() {
    }

    public static void main(String[] args) throws IOException {
        Path work = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        boolean ok = run(work, System.out);
        System.exit(ok ? 0 : 1);
    }

    /** Runs the demo in {@code work}; returns whether the restored files equal the originals. */
    public static boolean run(Path work, PrintStream out) throws IOException {
        Path config = work.resolve("demo-config/payments");
        writeSampleConfig(config);
        Path identityFile = work.resolve("demo-identity.txt");
        if (!Files.exists(identityFile)) {
            AgeKeys.writeIdentityFile(identityFile, AgeKeys.generate().identity(), Clock.systemUTC());
        }
        AgeEncryption encryption = AgeEncryption.toRecipients(AgeKeys.readIdentityFile(identityFile).get(0).recipient().encoded())
                .withIdentityFile(identityFile);
        Path repository = work.resolve("demo-repository");

        try (BackupEngine engine = Backup.engine()
                .repository(FileSystemStorage.at(repository))
                .encryption(encryption)
                .source(FilesSource.builder("config").directory(config).build())
                .build()) {
            BackupResult backup = engine.backup("config").tag("demo").run();
            VerificationReport verified = engine.verify("config").id(backup.id()).run().orThrow();
            Path restoreDir = Files.createTempDirectory("eazepay-demo-restore-");
            RestoreResult restored = engine.restore("config").id(backup.id())
                    .into(FilesTarget.directory(restoreDir)).checked().run();
            boolean same = sameTree(config, restoreDir.resolve(config.getFileName()));
            String object = repository.resolve("config/" + backup.id() + "/" + backup.manifest().streams().get(0).object()).toString();

            out.println("Eazepay Backup demo (files)");
            out.println("  backup id        " + backup.id());
            out.println("  repository       " + repository);
            out.println("  plaintext bytes  " + backup.plaintextBytes());
            out.println("  stored bytes     " + backup.storedBytes() + " (zstd + age)");
            out.println("  verification     " + (verified.passed() ? "passed" : "FAILED"));
            out.println("  restored into    " + restored.location());
            out.println("  " + (same && restored.checksPassed() ? "restore verified: every file, mode and mtime matches"
                    : "RESTORE MISMATCH"));
            Path byHand = work.resolve("demo-restore-by-hand/" + backup.id());
            out.println("  without this library:");
            out.println("    mkdir -p " + byHand);
            out.println("    age -d -i " + identityFile + " " + object + " | zstd -d | tar -x -C " + byHand);
            out.println("    diff -r " + config + " " + byHand.resolve(config.getFileName()));
            return same && verified.passed() && restored.checksPassed();
        }
    }

    private static void writeSampleConfig(Path config) throws IOException {
        Files.createDirectories(config.resolve("tls"));
        Files.writeString(config.resolve("application.yml"), "server:\n  port: 8443\npayments:\n  currency: EUR\n  daily-limit: 10000\n");
        Files.writeString(config.resolve("payments.env"), "DB_HOST=db.internal\nDB_PASSWORD=demo-only-not-a-secret\n");
        Files.writeString(config.resolve("tls/server.key"), "-----BEGIN PRIVATE KEY-----\nZGVtbw==\n-----END PRIVATE KEY-----\n");
        // secrets as they are kept on a real host: owner-only (the backup keeps and restores the modes)
        Files.setPosixFilePermissions(config.resolve("payments.env"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(config.resolve("tls/server.key"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(config.resolve("tls/server.crt"), "-----BEGIN CERTIFICATE-----\nZGVtbw==\n-----END CERTIFICATE-----\n");
    }

    static boolean sameTree(Path a, Path b) throws IOException {
        List<Path> left;
        try (Stream<Path> s = Files.walk(a)) {
            left = s.map(a::relativize).sorted().toList();
        }
        List<Path> right;
        try (Stream<Path> s = Files.walk(b)) {
            right = s.map(b::relativize).sorted().toList();
        }
        if (!left.equals(right)) {
            return false;
        }
        for (Path rel : left) {
            Path x = a.resolve(rel);
            Path y = b.resolve(rel);
            if (Files.isRegularFile(x) && (Files.mismatch(x, y) != -1
                    || !Files.getPosixFilePermissions(x).equals(Files.getPosixFilePermissions(y))
                    || Files.getLastModifiedTime(x).toMillis() / 1000 != Files.getLastModifiedTime(y).toMillis() / 1000)) {
                return false;
            }
        }
        return true;
    }
}
