package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.VerificationReport;
import com.eazepay.backup.internal.DecodedStreams;
import com.eazepay.backup.internal.DefaultRestoreContext;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.internal.io.VerifyingInputStream;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads backups back: restores one into a target through its source's restore logic (with the
 * post-restore checks when asked), and verifies one's integrity (stored SHA-256 and size, then
 * decryption and decompression when the engine can decrypt). Every outcome is logged, published
 * as an event and, for verifications and checked restores, recorded as a report. Thread-safe.
 */
public final class RestoreOperation {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreOperation.class);

    private final EngineConfig config;
    private final RepositoryCatalog catalog;
    private final StorageTarget repository;

    public RestoreOperation(EngineConfig config, RepositoryCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
        this.repository = config.repository();
    }

    public RepositoryCatalog catalog() {
        return catalog;
    }

    /** The source that restores backup {@code m}: the configured one, else one found by its type (see {@link EngineConfig#sourceFor}). */
    public BackupSource sourceFor(String name, Manifest m) {
        return config.sourceFor(name, m);
    }

    /**
     * Restores {@code manifest} into {@code target} with {@code source}'s restore logic. Any failure,
     * including an {@link Error} such as {@link OutOfMemoryError}, is published as
     * {@link BackupEvent.RestoreFailed} and thrown as a {@link BackupException} (an unexpected one as
     * {@code INTERNAL}); failed checks throw {@code CHECK_FAILED} after a {@code RestoreSucceeded} event.
     */
    public RestoreResult restore(BackupSource source, Manifest manifest, RestoreTarget target, boolean checks) {
        return restore(source, manifest, target, checks, checks);
    }

    /** As {@link #restore(BackupSource, Manifest, RestoreTarget, boolean)}; {@code record} false leaves the verify report to the caller (restore tests write their own). */
    RestoreResult restore(BackupSource source, Manifest manifest, RestoreTarget target, boolean checks, boolean record) {
        return restore(source, manifest, target, checks, record, repository);
    }

    /** As above, reading the backup's objects from {@code from} (a replica, in a full-loss drill whose repository is unreachable). */
    RestoreResult restore(BackupSource source, Manifest manifest, RestoreTarget target, boolean checks, boolean record,
                          StorageTarget from) {
        config.checkOpen();
        Objects.requireNonNull(target, "target: call into(..) with where to restore");
        long t0 = System.nanoTime();
        try {
            Encryption decryption = config.decryptionFor(manifest);
            if (!decryption.canDecrypt()) {
                throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "backup " + manifest.id() + " of '" + source.name()
                        + "' is encrypted and this engine has recipients only: configure an identity to restore");
            }
            DefaultRestoreContext ctx = new DefaultRestoreContext(manifest, config.clock(), from,
                    config.compressionFor(manifest), decryption, checks, config.executor());
            RestoreOutcome outcome;
            try {
                outcome = source.restore(ctx, target);
            } catch (BackupException e) {
                throw corruptionBehind(manifest, e);
            } finally {
                ctx.closeOpenedStreams();
            }
            long t1 = System.nanoTime();
            Duration checkDuration = ctx.checksStartedNanos() == 0 ? null : Duration.ofNanos(t1 - ctx.checksStartedNanos());
            return succeeded(source, manifest, outcome, checks, record, Duration.ofNanos(t1 - t0), checkDuration);
        } catch (RuntimeException | Error e) {
            BackupException failure = e instanceof BackupException be ? be : new BackupException(CoreErrorCode.INTERNAL,
                    "restore of backup " + manifest.id() + " of '" + source.name() + "' into " + target.describe()
                            + " failed unexpectedly: " + e, e);
            if (failure.errorCode() != CoreErrorCode.CHECK_FAILED) {
                failed(source, manifest, target, checks && record, failure, Duration.ofNanos(System.nanoTime() - t0));
            }
            throw failure;
        }
    }

    private RestoreResult succeeded(BackupSource source, Manifest manifest, RestoreOutcome outcome, boolean checks, boolean record,
                                    Duration duration, Duration checkDuration) {
        RestoreResult result = new RestoreResult(manifest, outcome.location(), outcome.checks(), outcome.facts(), duration,
                checkDuration);
        LOG.info("restore of backup {} of '{}' into {} finished in {} ms; checks {}", manifest.id(), source.name(),
                outcome.location(), duration.toMillis(), result.checks().isEmpty() ? "none" : result.checksPassed() ? "passed" : "FAILED");
        config.publish(new BackupEvent.RestoreSucceeded(source.name(), manifest.id(), outcome.location(), duration,
                result.checksPassed(), config.clock().instant()));
        if (checks && record) {
            catalog.writeVerifyReport(manifest, "restore", result.checksPassed(), "restore into " + outcome.location() + ": "
                    + result.checks().stream().map(c -> c.name() + (c.passed() ? " passed" : " FAILED")).toList());
        }
        return checks && record ? result.orThrow() : result; // CHECK_FAILED naming the failed checks (restore tests report them)
    }

    private void failed(BackupSource source, Manifest manifest, RestoreTarget target, boolean checks, BackupException e,
                        Duration duration) {
        LOG.info("restore of backup {} of '{}' into {} FAILED ({}): {}", manifest.id(), source.name(), target.describe(),
                e.errorCode().name(), e.getMessage());
        config.publish(new BackupEvent.RestoreFailed(source.name(), manifest.id(), target.describe(), duration, e.errorCode(),
                e.getMessage(), config.clock().instant()));
        if (checks) {
            catalog.writeVerifyReport(manifest, "restore", false, "restore into " + target.describe() + " failed: "
                    + e.errorCode().name() + ": " + e.getMessage());
        }
    }

    /**
     * A source's parser may trip over corrupt bytes before the end of the stream, where the
     * checksum is checked. When a restore fails, re-check the stored objects so that corruption is
     * reported as such ({@code CHECKSUM_MISMATCH}, naming the object) and not as a parser error.
     */
    private BackupException corruptionBehind(Manifest manifest, BackupException failure) {
        if (failure.errorCode() == CoreErrorCode.CHECKSUM_MISMATCH || failure.errorCode() == CoreErrorCode.TARGET_NOT_EMPTY
                || failure.errorCode() == CoreErrorCode.INVALID_CONFIGURATION || failure.errorCode() == CoreErrorCode.INTERRUPTED) {
            return failure;
        }
        for (Manifest.StreamInfo s : manifest.streams()) {
            VerificationReport.StreamCheck check = verifyStored(manifest, s);
            // only a checksum verdict is a verdict: a re-read that fails on the storage proves nothing
            if (!check.passed() && check.detail().startsWith(CoreErrorCode.CHECKSUM_MISMATCH.name() + ":")) {
                return new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, check.detail().replaceFirst("^CHECKSUM_MISMATCH: ", "")
                        + " (the restore failed on it: " + failure.getMessage() + ")", failure);
            }
        }
        return failure;
    }

    /** Verifies one backup's integrity; a corrupt backup is a failed report, not an exception. */
    public VerificationReport verify(Manifest manifest) {
        config.checkOpen();
        long t0 = System.nanoTime();
        List<VerificationReport.StreamCheck> checks = new ArrayList<>();
        Encryption decryption = config.decryptionFor(manifest);
        boolean decode = decryption.canDecrypt();
        for (Manifest.StreamInfo s : manifest.streams()) {
            checks.add(decode ? verifyDecoded(manifest, s, decryption) : verifyStored(manifest, s));
        }
        VerificationReport report = new VerificationReport(manifest, checks, Duration.ofNanos(System.nanoTime() - t0));
        String detail = checks.stream().map(c -> c.name() + ": " + c.detail()).toList().toString();
        LOG.info("verification of backup {} of '{}' {}: {}", manifest.id(), manifest.source(), report.passed() ? "passed" : "FAILED", detail);
        catalog.writeVerifyReport(manifest, "integrity", report.passed(), detail);
        config.publish(new BackupEvent.BackupVerified(manifest.source(), manifest.id(), report.passed(), detail, config.clock().instant()));
        return report;
    }

    private VerificationReport.StreamCheck verifyDecoded(Manifest m, Manifest.StreamInfo s, Encryption decryption) {
        try (InputStream in = DecodedStreams.open(repository, m, s, config.compressionFor(m), decryption)) {
            long n = DecodedStreams.drain(in);
            return new VerificationReport.StreamCheck(s.name(), true, n, "SHA-256 and size of " + s.storedSize()
                    + " stored bytes match; decrypted and decompressed to " + n + " bytes");
        } catch (BackupException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, e.errorCode().name() + ": " + e.getMessage());
        } catch (IOException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, "read failed: " + e);
        }
    }

    private VerificationReport.StreamCheck verifyStored(Manifest m, Manifest.StreamInfo s) {
        String key = RepositoryLayout.streamKey(m.source(), m.id(), s.object());
        try (InputStream in = new VerifyingInputStream(repository.get(key), key, s.storedSize(), s.sha256())) {
            DecodedStreams.drain(in);
            return new VerificationReport.StreamCheck(s.name(), true, -1, "SHA-256 and size of " + s.storedSize()
                    + " stored bytes match; not decrypted (this engine has no identity)");
        } catch (BackupException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, e.errorCode().name() + ": " + e.getMessage());
        } catch (IOException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, "read failed: " + e);
        }
    }
}
