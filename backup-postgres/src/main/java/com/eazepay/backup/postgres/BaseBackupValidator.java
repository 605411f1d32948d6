package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.files.TarReader;
import com.eazepay.backup.postgres.internal.PgTools;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.StreamValidator;
import com.eazepay.backup.spi.ValidatorInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Validates the {@code base} stream of {@code postgres-base} backups with {@code pg_verifybackup}: PostgreSQL 15's
 * pg_verifybackup reads directories only, not tar files, so the decoded tar is extracted (path-safe
 * {@link TarReader}: no entry outside the directory, no link followed) into a 0700 directory under the configured
 * temp directory, checked with {@code pg_verifybackup --no-parse-wal} against the {@code backup_manifest} inside it
 * (every file's size and CRC32C; the WAL is checked separately, by the {@link WalChain}), and deleted again. Needs
 * free space of the data directory's size there. Thread-safe (each call its own directory).
 */
final class BaseBackupValidator implements StreamValidator {

    private static final Logger LOG = LoggerFactory.getLogger(BaseBackupValidator.class);
    static final String CHECK = "pg_verifybackup";

    private final Path binDirectory;
    private final Path tempDirectory;
    private final Duration timeout;

    BaseBackupValidator(Path binDirectory, Path tempDirectory, Duration timeout) {
        this.binDirectory = binDirectory;
        this.tempDirectory = tempDirectory;
        this.timeout = timeout;
    }

    @Override
    public List<CheckResult> validate(String streamName, InputStream plaintext, Manifest manifest) {
        if (!streamName.equals(PostgresBaseBackupSource.STREAM)) {
            return List.of();
        }
        Object version = manifest.facts().get("server_version");
        int major = version instanceof String v && v.matches("\\d+") ? Integer.parseInt(v) : 13;
        PgTools.Tool tool = PgTools.find("pg_verifybackup", binDirectory == null ? null : binDirectory.resolve("pg_verifybackup"),
                Math.max(13, major), "base backup " + manifest.id() + " was taken from PostgreSQL " + version);
        Path dir = null;
        try {
            Files.createDirectories(tempDirectory);
            dir = Files.createTempDirectory(tempDirectory, "eazepay-verifybackup-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path data = dir.resolve("data");
            ValidatorInput input = new ValidatorInput(plaintext);
            try {
                TarReader.extract(input, data, false);
            } catch (IOException | BackupException e) {
                if (input.raised(e)) {
                    throw e; // the engine's verdict on the stored bytes (CHECKSUM_MISMATCH, storage)
                }
                return List.of(CheckResult.failed(CHECK, "the base backup's tar cannot be extracted: " + e.getMessage()));
            }
            try (ChildProcess.Running child = ChildProcess.of(List.of(tool.path().toString(), "--no-parse-wal", "--quiet",
                    data.toString())).name("pg_verifybackup").timeout(timeout).start()) {
                child.stdin().close();
                child.stdout().transferTo(OutputStream.nullOutputStream());
                int exit = child.waitFor();
                if (exit != 0 || child.wasKilled()) {
                    return List.of(CheckResult.failed(CHECK, "pg_verifybackup " + tool.version() + " ("
                            + child.describeExit(exit) + "): " + child.stderrTail().strip()));
                }
            }
            return List.of(CheckResult.passed(CHECK, "every file matches backup_manifest (pg_verifybackup "
                    + tool.version() + ", --no-parse-wal: WAL is checked by the chain)"));
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "extracting base backup " + manifest.id() + " into "
                    + tempDirectory + " for pg_verifybackup failed (it needs free space of the data directory's size;"
                    + " configure verifyTempDirectory(..)): " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                delete(dir);
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the pg_verifybackup directory {}: {}", dir, e.getMessage());
        }
    }
}
