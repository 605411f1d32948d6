package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.postgres.internal.ConnectionSettings;
import com.eazepay.backup.postgres.internal.PgTools;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.StreamValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Validates custom-format archives ({@code db}, {@code database} streams) with {@code pg_restore --list}
 * fed through stdin: an archive pg_restore cannot list fails, whatever its SHA-256. The table of contents
 * is at the start of the archive, so pg_restore stops reading early; the engine reads the rest to verify
 * the object. Plain-SQL streams ({@code globals}, plain-format dumps) have no archive to list and are
 * not validated. Needs no server. Thread-safe.
 */
final class PostgresValidator implements StreamValidator {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresValidator.class);

    private final Path pgRestorePath;
    private final Duration timeout;

    PostgresValidator(Path pgRestorePath, Duration timeout) {
        this.pgRestorePath = pgRestorePath;
        this.timeout = timeout;
    }

    @Override
    public List<CheckResult> validate(String streamName, InputStream plaintext, Manifest manifest) {
        boolean archive = manifest.stream(streamName).map(s -> s.object().startsWith(streamName + ".pgdump")).orElse(false);
        if (!archive) {
            return List.of();
        }
        PgTools.Tool pgRestore = PgTools.find("pg_restore", pgRestorePath, PostgresRestore.dumpMajor(manifest),
                "backup " + manifest.id() + " was written by pg_dump " + manifest.facts().get("pg_dump_version"));
        String check = "pg_restore --list " + streamName;
        try (ChildProcess.Running child = ConnectionSettings.offlineTool("pg_restore",
                List.of(pgRestore.path().toString(), "--list"), timeout).start()) {
            AtomicReference<String> listing = new AtomicReference<>("");
            AtomicReference<IOException> stdoutError = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    listing.set(new String(child.stdout().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    stdoutError.set(e);
                }
            }, "pg_restore-list-" + child.pid());
            reader.setDaemon(true);
            reader.start();
            OutputStream stdin = child.stdin();
            byte[] buffer = new byte[64 * 1024];
            int n;
            // a read failure here is the engine's verdict on the stored bytes (CHECKSUM_MISMATCH): it propagates
            while ((n = plaintext.read(buffer)) >= 0) {
                try {
                    stdin.write(buffer, 0, n);
                } catch (IOException e) {
                    break; // pg_restore has read the table of contents (or gave up): its exit code tells
                }
            }
            try {
                stdin.close();
            } catch (IOException e) {
                LOG.debug("pg_restore closed its stdin early: {}", e.toString());
            }
            reader.join();
            int exit = child.waitFor();
            if (stdoutError.get() != null) {
                throw stdoutError.get();
            }
            if (exit != 0 || child.wasKilled()) {
                return List.of(CheckResult.failed(check, "pg_restore cannot list the archive (" + child.describeExit(exit)
                        + "): " + child.stderrTail().strip()));
            }
            long entries = listing.get().lines().filter(l -> !l.isBlank() && !l.startsWith(";")).count();
            return List.of(CheckResult.passed(check, entries + " table-of-contents entries"));
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "running pg_restore --list on stream " + streamName
                    + " of backup " + manifest.id() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(CoreErrorCode.INTERRUPTED, "validation of backup " + manifest.id() + " was interrupted", e);
        }
    }
}
