package com.eazepay.backup.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Hints and requirements for one {@link StorageTarget#put}. Immutable; build with {@link #defaults()}
 * and the {@code with*} methods.
 *
 * @param contentLength the number of bytes, or {@code -1} when unknown (default: unknown; stores then
 *                      stream in parts)
 * @param contentType   a MIME type (default {@code application/octet-stream})
 * @param retainUntil   an object-lock retain-until date, for stores that support it (default: none)
 */
public record PutOptions(long contentLength, String contentType, Optional<Instant> retainUntil) {

    private static final PutOptions DEFAULTS = new PutOptions(-1, "application/octet-stream", Optional.empty());

    public PutOptions {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(retainUntil, "retainUntil");
        if (contentLength < -1) {
            throw new IllegalArgumentException("contentLength must be >= 0 or -1 (unknown), was " + contentLength);
        }
    }

    /** Unknown length, {@code application/octet-stream}, no retention. */
    public static PutOptions defaults() {
        return DEFAULTS;
    }

    public PutOptions withContentLength(long length) {
        return new PutOptions(length, contentType, retainUntil);
    }

    public PutOptions withContentType(String type) {
        return new PutOptions(contentLength, type, retainUntil);
    }

    public PutOptions withRetainUntil(Instant until) {
        return new PutOptions(contentLength, contentType, Optional.of(until));
    }
}
