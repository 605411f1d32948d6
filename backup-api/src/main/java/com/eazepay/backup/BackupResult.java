package com.eazepay.backup;

import java.time.Duration;
import java.util.Objects;

/**
 * A committed backup.
 *
 * @param manifest the manifest written to storage
 * @param duration wall time from start to commit
 */
public record BackupResult(Manifest manifest, Duration duration) {
    public BackupResult {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(duration, "duration");
    }

    /** The backup id. */
    public String id() {
        return manifest.id();
    }

    /** The source name. */
    public String source() {
        return manifest.source();
    }

    /** Bytes stored (compressed and encrypted). */
    public long storedBytes() {
        return manifest.storedBytes();
    }

    /** Bytes the source produced. */
    public long plaintextBytes() {
        return manifest.plaintextBytes();
    }
}
