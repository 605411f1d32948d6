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
 * @param dataObject    {@code true} for a backup's data (a stream object), {@code false} (the default) for the
 *                      repository's bookkeeping (manifests, locks, pins, holds, reports, repository.json): stores
 *                      apply a configured storage class to data objects only, so bookkeeping stays readable and
 *                      short-lived objects pay no minimum storage duration
 */
public record PutOptions(long contentLength, String contentType, Optional<Instant> retainUntil, boolean dataObject) {

    private static final PutOptions DEFAULTS = new PutOptions(-1, "application/octet-stream", Optional.empty(), false);
    private static final PutOptions DATA = DEFAULTS.asData();

    /** Bookkeeping options ({@code dataObject} false). */
    public PutOptions(long contentLength, String contentType, Optional<Instant> retainUntil) {
        this(contentLength, contentType, retainUntil, false);
    }

    public PutOptions {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(retainUntil, "retainUntil");
        if (contentLength < -1) {
            throw new IllegalArgumentException("contentLength must be >= 0 or -1 (unknown), was " + contentLength);
        }
    }

    /** Unknown length, {@code application/octet-stream}, no retention, bookkeeping. */
    public static PutOptions defaults() {
        return DEFAULTS;
    }

    /** Like {@link #defaults()} for a backup's data object (a stream). */
    public static PutOptions forData() {
        return DATA;
    }

    public PutOptions withContentLength(long length) {
        return new PutOptions(length, contentType, retainUntil, dataObject);
    }

    public PutOptions withContentType(String type) {
        return new PutOptions(contentLength, type, retainUntil, dataObject);
    }

    public PutOptions withRetainUntil(Instant until) {
        return new PutOptions(contentLength, contentType, Optional.of(until), dataObject);
    }

    /** The same options for a backup's data object. */
    public PutOptions asData() {
        return new PutOptions(contentLength, contentType, retainUntil, true);
    }
}
