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
