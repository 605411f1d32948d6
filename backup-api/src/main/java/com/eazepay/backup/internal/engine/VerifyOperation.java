package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.IntegrityReport;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.VerificationReport;
import com.eazepay.backup.internal.DecodedStreams;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.internal.io.VerifyingInputStream;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.spi.StreamValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Integrity verification with format validation: reads every stream of a backup from the repository and
 * from every replica, checks size and SHA-256, decrypts, decompresses and runs the source type's
 * {@link StreamValidator} on the plaintext, without restoring. The result is recorded as an
 * {@code integrity} verification report in the repository and published as {@link BackupEvent.BackupVerified}.
 * Thread-safe.
 */
public final class VerifyOperation {

    private static final Logger LOG = LoggerFactory.getLogger(VerifyOperation.class);

    private final EngineConfig config;
    private final RepositoryCatalog catalog;

    public VerifyOperation(EngineConfig config, RepositoryCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    public RepositoryCatalog catalog() {
        return catalog;
    }

    /** Verifies backup {@code m} on every target; a corrupt or invalid backup is a failed report, not an exception. */
    public IntegrityReport integrity(Manifest m) {
        config.checkOpen();
        Optional<StreamValidator> validator = validatorFor(m);
        Encryption decryption = config.decryptionFor(m);
        List<IntegrityReport.TargetReport> targets = new ArrayList<>();
        List<StorageTarget> all = config.allTargets();
        for (StorageTarget target : all) {
            targets.add(verifyOn(target, m, decryption, validator.orElse(null)));
        }
        targets = locateCorruption(m, all, targets);
        IntegrityReport report = new IntegrityReport(m, targets);
        String detail = targets.stream().map(t -> t.target() + ": " + t.report().streams().stream()
                .map(c -> c.name() + ": " + c.detail()).toList()).toList().toString();
        LOG.info("integrity verification of backup {} of '{}' on {} target(s) {}: {}", m.id(), m.source(), targets.size(),
                report.passed() ? "passed" : "FAILED", detail);
        catalog.writeVerifyReport(m, "integrity", report.passed(), detail);
        config.publish(new BackupEvent.BackupVerified(m.source(), m.id(), report.passed(), detail, config.clock().instant()));
        return report;
    }

    private Optional<StreamValidator> validatorFor(Manifest m) {
        try {
            BackupSource source = config.sourceFor(m.source(), m);
            return source.validator();
        } catch (BackupException e) {
            // no configured source and no provider for the type: integrity stops at the codec
            LOG.info("no validator for backup {} of '{}' (type {}): {}", m.id(), m.source(), m.sourceType(), e.getMessage());
            return Optional.empty();
        }
    }

    private IntegrityReport.TargetReport verifyOn(StorageTarget storage, Manifest m, Encryption decryption, StreamValidator validator) {
        long t0 = System.nanoTime();
        List<VerificationReport.StreamCheck> checks = new ArrayList<>();
        Map<String, List<CheckResult>> validation = new LinkedHashMap<>();
        for (Manifest.StreamInfo s : m.streams()) {
            if (!decryption.canDecrypt()) {
                checks.add(verifyStored(storage, m, s));
                continue;
            }
            try (InputStream in = DecodedStreams.open(storage, m, s, config.compressionFor(m), decryption)) {
                List<CheckResult> results = validator == null ? List.of() : validator.validate(s.name(), in, m);
                long n = DecodedStreams.drain(in); // the rest, verifying size and SHA-256 at the end
                validation.put(s.name(), results);
                List<CheckResult> failed = results.stream().filter(r -> !r.passed()).toList();
                if (failed.isEmpty()) {
                    checks.add(new VerificationReport.StreamCheck(s.name(), true, s.plaintextSize(), "SHA-256 and size of "
                            + s.storedSize() + " stored bytes match; decoded to " + s.plaintextSize() + " bytes"
                            + (results.isEmpty() ? "" : "; " + results.stream().map(r -> r.name() + ": " + r.detail()).toList())));
                } else {
                    checks.add(new VerificationReport.StreamCheck(s.name(), false, s.plaintextSize(), "CORRUPT_DATA: stream "
                            + s.name() + " (" + RepositoryLayout.streamKey(m.source(), m.id(), s.object())
                            + ") matches its SHA-256 but fails format validation: "
                            + failed.stream().map(r -> r.name() + ": " + r.detail()).toList()));
                }
                LOG.debug("stream {} of backup {} on {}: {} unread bytes after validation", s.name(), m.id(), storage.describe(), n);
            } catch (BackupException e) {
                checks.add(new VerificationReport.StreamCheck(s.name(), false, -1, e.errorCode().name() + ": " + e.getMessage()));
            } catch (IOException e) {
                checks.add(new VerificationReport.StreamCheck(s.name(), false, -1, "read failed: " + e));
            }
        }
        VerificationReport report = new VerificationReport(m, checks, Duration.ofNanos(System.nanoTime() - t0));
        return new IntegrityReport.TargetReport(storage.describe(), report, validation);
    }

    /**
     * A SHA-256 mismatch says that an object is corrupt, not where. When another target holds an intact
     * copy of the same object, the two are compared and the first differing offset is added to the detail.
     */
    private List<IntegrityReport.TargetReport> locateCorruption(Manifest m, List<StorageTarget> all,
                                                               List<IntegrityReport.TargetReport> reports) {
        List<IntegrityReport.TargetReport> out = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            IntegrityReport.TargetReport r = reports.get(i);
            List<VerificationReport.StreamCheck> streams = new ArrayList<>();
            for (VerificationReport.StreamCheck c : r.report().streams()) {
                streams.add(c.passed() || !c.detail().startsWith("CHECKSUM_MISMATCH:") ? c : locate(m, all, reports, i, c));
            }
            out.add(new IntegrityReport.TargetReport(r.target(), new VerificationReport(m, streams, r.report().duration()),
                    r.validation()));
        }
        return out;
    }

    private VerificationReport.StreamCheck locate(Manifest m, List<StorageTarget> all, List<IntegrityReport.TargetReport> reports,
                                                  int bad, VerificationReport.StreamCheck check) {
        Manifest.StreamInfo s = m.stream(check.name()).orElse(null);
        if (s == null) {
            return check;
        }
        String key = RepositoryLayout.streamKey(m.source(), m.id(), s.object());
        for (int j = 0; j < reports.size(); j++) {
            int jj = j;
            boolean intact = j != bad && reports.get(j).report().streams().stream()
                    .anyMatch(c -> c.name().equals(check.name()) && c.passed());
            if (!intact) {
                continue;
            }
            try (InputStream corrupt = all.get(bad).get(key); InputStream good = all.get(jj).get(key)) {
                long offset = firstDifference(corrupt, good);
                if (offset >= 0) {
                    return new VerificationReport.StreamCheck(check.name(), false, check.plaintextSize(), check.detail()
                            + " [first byte differing from the intact copy on " + all.get(jj).describe() + " at offset " + offset + "]");
                }
            } catch (IOException | BackupException e) {
                LOG.debug("comparing {} on {} with {} failed: {}", key, all.get(bad).describe(), all.get(jj).describe(), e.toString());
            }
        }
        return check;
    }

    /** The first offset at which the two streams differ (or one ends), -1 if they are equal. */
    static long firstDifference(InputStream a, InputStream b) throws IOException {
        byte[] ba = new byte[64 * 1024];
        byte[] bb = new byte[64 * 1024];
        long offset = 0;
        while (true) {
            int na = a.readNBytes(ba, 0, ba.length);
            int nb = b.readNBytes(bb, 0, bb.length);
            int n = Math.min(na, nb);
            int mismatch = java.util.Arrays.mismatch(ba, 0, n, bb, 0, n);
            if (mismatch >= 0) {
                return offset + mismatch;
            }
            if (na != nb) {
                return offset + n;
            }
            if (na == 0) {
                return -1;
            }
            offset += n;
        }
    }

    private static VerificationReport.StreamCheck verifyStored(StorageTarget storage, Manifest m, Manifest.StreamInfo s) {
        String key = RepositoryLayout.streamKey(m.source(), m.id(), s.object());
        try (InputStream in = new VerifyingInputStream(storage.get(key), key, s.storedSize(), s.sha256())) {
            DecodedStreams.drain(in);
            return new VerificationReport.StreamCheck(s.name(), true, -1, "SHA-256 and size of " + s.storedSize()
                    + " stored bytes match; not decrypted nor validated (this engine has no identity)");
        } catch (BackupException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, e.errorCode().name() + ": " + e.getMessage());
        } catch (IOException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, "read failed: " + e);
        }
    }
}
