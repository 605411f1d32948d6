package com.eazepay.backup;

import java.time.Instant;
import java.util.Objects;

/**
 * An integrity verification of one backup: every stream is read from storage and checked against
 * the manifest's SHA-256 and size, then (when the engine can decrypt) decrypted and decompressed.
 * Not thread-safe; use once.
 */
public final class VerifyRequest {

    private final BackupEngine engine;
    private final String source;
    private String id;
    private Instant before;
    private String tag;

    VerifyRequest(BackupEngine engine, String source) {
        this.engine = engine;
        this.source = source;
    }

    /** The newest backup (the default). */
    public VerifyRequest latest() {
        id = null;
        before = null;
        tag = null;
        return this;
    }

    /** The backup with this id. */
    public VerifyRequest id(String backupId) {
        this.id = Objects.requireNonNull(backupId, "backupId");
        return this;
    }

    /** The newest backup consistent before {@code instant}. */
    public VerifyRequest before(Instant instant) {
        this.before = Objects.requireNonNull(instant, "instant");
        return this;
    }

    /** The newest backup with {@code tag}. */
    public VerifyRequest tagged(String tag) {
        this.tag = Objects.requireNonNull(tag, "tag");
        return this;
    }

    /**
     * Verifies. A corrupt backup is reported in the result ({@link VerificationReport#passed()} false),
     * not thrown.
     *
     * @throws BackupException {@code NOT_FOUND} if no backup matches
     */
    public VerificationReport run() {
        return engine.runVerify(engine.select(source, id, before, tag));
    }
}
