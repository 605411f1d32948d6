package com.eazepay.backup;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of an integrity verification of one backup: every stream read, checked against the
 * manifest's SHA-256 and size, decrypted and decompressed.
 *
 * @param manifest the verified backup
 * @param streams  per-stream outcome
 * @param duration wall time
 */
public record VerificationReport(Manifest manifest, List<StreamCheck> streams, Duration duration) {
    public VerificationReport {
        Objects.requireNonNull(manifest, "manifest");
        streams = List.copyOf(streams);
    }

    /** Whether every stream passed. */
    public boolean passed() {
        return streams.stream().allMatch(StreamCheck::passed);
    }

    /**
     * Throws if any stream failed, for callers that must stop on a bad backup (a deployment hook, a
     * drill). The code is the first failed stream's: {@code CHECKSUM_MISMATCH} for altered stored bytes,
     * {@code DECRYPTION_FAILED}, {@code CORRUPT_DATA} for an undecodable stream, {@code STORAGE_UNAVAILABLE}
     * (retryable) when reading failed; the message names the backup and every failed stream.
     *
     * @return this, when every stream passed
     */
    public VerificationReport orThrow() {
        List<StreamCheck> failed = streams.stream().filter(s -> !s.passed()).toList();
        if (failed.isEmpty()) {
            return this;
        }
        String first = failed.get(0).detail();
        ErrorCode code = first.startsWith("read failed") ? CoreErrorCode.STORAGE_UNAVAILABLE : CoreErrorCode.CORRUPT_DATA;
        for (CoreErrorCode c : CoreErrorCode.values()) {
            if (first.startsWith(c.name() + ":")) {
                code = c;
            }
        }
        throw new BackupException(code, "verification of backup " + manifest.id() + " of '" + manifest.source() + "' failed for "
                + failed.size() + " of " + streams.size() + " streams: " + failed.stream().map(s -> s.name() + " (" + s.detail() + ")")
                .toList() + "; restore an earlier backup (engine.restore(..).before(..)) and take a new one");
    }

    /**
     * One stream's verification.
     *
     * @param name          stream name
     * @param passed        whether stored bytes, decryption, decompression and sizes all checked out
     * @param plaintextSize bytes after decoding (-1 if decoding failed)
     * @param detail        what was checked or what failed
     */
    public record StreamCheck(String name, boolean passed, long plaintextSize, String detail) {
    }
}
