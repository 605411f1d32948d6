package com.eazepay.backup.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored object's key, size in bytes and last-modified time (which may be {@link Instant#EPOCH}
 * when the store does not report one).
 */
public record ObjectInfo(String key, long size, Instant lastModified) {
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
    }
}
