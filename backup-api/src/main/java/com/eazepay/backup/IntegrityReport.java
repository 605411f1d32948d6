package com.eazepay.backup;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of {@code engine.verify(source).integrity()}: one backup read back from the repository and
 * from every replica. Per target, every stream's size and SHA-256 were checked, the stream decrypted and
 * decompressed (when the engine holds an identity) and handed to the source type's own format validator
 * ({@code pg_restore --list}, the RDB checksum, the tar walk...) without restoring anything.
 *
 * @param manifest the verified backup
 * @param targets  one report per storage target, the repository first
 */
public record IntegrityReport(Manifest manifest, List<TargetReport> targets) {
    public IntegrityReport {
        Objects.requireNonNull(manifest, "manifest");
        targets = List.copyOf(targets);
    }

    /** Whether the backup is intact and valid on every target. */
    public boolean passed() {
        return targets.stream().allMatch(TargetReport::passed);
    }

    /**
     * Throws if any target failed: the code and message of the first failed target's
     * {@link VerificationReport#orThrow()} ({@code CHECKSUM_MISMATCH} naming the object and offset,
     * {@code CORRUPT_DATA} for a stream its format validator rejects), prefixed with the target.
     *
     * @return this, when every target passed
     */
    public IntegrityReport orThrow() {
        for (TargetReport t : targets) {
            try {
                t.report().orThrow();
            } catch (BackupException e) {
                throw new BackupException(e.errorCode(), "on " + t.target() + ": " + e.getMessage(), e);
            }
        }
        return this;
    }

    /**
     * One target's verification.
     *
     * @param target     the storage target, as it describes itself
     * @param report     size, SHA-256 and decoding per stream; a stream its validator rejected is failed
     *                   with a detail starting {@code CORRUPT_DATA:}
     * @param validation per stream name, what the format validator checked (empty when the source type has none
     *                   or the stream could not be decoded)
     */
    public record TargetReport(String target, VerificationReport report, Map<String, List<CheckResult>> validation) {
        public TargetReport {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(report, "report");
            validation = Map.copyOf(validation);
        }

        public boolean passed() {
            return report.passed();
        }
    }
}
