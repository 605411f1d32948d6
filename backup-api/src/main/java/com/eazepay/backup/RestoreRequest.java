package com.eazepay.backup;

import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;

import java.time.Instant;
import java.util.Objects;

/**
 * A restore of one backup of one source: choose the backup ({@link #latest()} by default,
 * {@link #id}, {@link #before}, {@link #tagged}), the target ({@link #into}, required), and whether
 * failed post-restore checks fail the restore ({@link #verify()}). Not thread-safe; use once.
 */
public final class RestoreRequest {

    private final BackupEngine engine;
    private final BackupSource source;
    private String id;
    private Instant before;
    private String tag;
    private RestoreTarget target;
    private boolean verify;

    RestoreRequest(BackupEngine engine, BackupSource source) {
        this.engine = engine;
        this.source = source;
    }

    /** The newest committed backup (the default). */
    public RestoreRequest latest() {
        this.id = null;
        this.before = null;
        this.tag = null;
        return this;
    }

    /** The backup with this id. */
    public RestoreRequest id(String backupId) {
        this.id = Objects.requireNonNull(backupId, "backupId");
        return this;
    }

    /** The newest backup whose data is consistent strictly before {@code instant} (a pre-breach restore). */
    public RestoreRequest before(Instant instant) {
        this.before = Objects.requireNonNull(instant, "instant");
        return this;
    }

    /** The newest backup carrying {@code tag}. Combines with {@link #before}. */
    public RestoreRequest tagged(String tag) {
        this.tag = Objects.requireNonNull(tag, "tag");
        return this;
    }

    /** Where to restore; the source documents which target types it accepts. Required. */
    public RestoreRequest into(RestoreTarget target) {
        this.target = Objects.requireNonNull(target, "target");
        return this;
    }

    /**
     * Runs the source's post-restore checks (row/key counts against the manifest, user assertions)
     * and fails with {@code CHECK_FAILED} if any does not hold. The restored data is kept for inspection.
     */
    public RestoreRequest verify() {
        this.verify = true;
        return this;
    }

    /** The backup this request would restore. */
    public Manifest selected() {
        return engine.select(source.name(), id, before, tag);
    }

    /**
     * Restores.
     *
     * @throws BackupException {@code NOT_FOUND} if no backup matches; {@code CHECKSUM_MISMATCH} if stored
     *                         data is corrupt (nothing is committed to the target); {@code DECRYPTION_FAILED};
     *                         {@code TARGET_NOT_EMPTY}; {@code CHECK_FAILED} with {@link #verify()}
     */
    public RestoreResult run() {
        if (target == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore of '" + source.name()
                    + "' has no target: call into(..)");
        }
        return engine.runRestore(source, selected(), target, verify);
    }
}
