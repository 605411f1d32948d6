package com.eazepay.backup;

import com.eazepay.backup.internal.engine.RestoreOperation;
import com.eazepay.backup.internal.engine.Selection;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;

import java.time.Instant;
import java.util.Objects;

/**
 * A restore of one backup of one source: choose the backup ({@link #latest()} by default, narrowed
 * by {@link #before}, {@link #tagged}, {@link #label}, {@link #set}; or exactly {@link #id}), the
 * target ({@link #into}, required), and whether the post-restore checks must pass
 * ({@link #checked()}). Conflicting choices ({@code id(..)} with any other, a criterion given twice
 * with different values) are refused at once with {@code INVALID_CONFIGURATION}. Not thread-safe; use once.
 */
public final class RestoreRequest {

    private final RestoreOperation operation;
    private final String sourceName;
    private final Selection selection;
    private RestoreTarget target;
    private boolean checked;

    RestoreRequest(RestoreOperation operation, String sourceName) {
        this.operation = operation;
        this.sourceName = sourceName;
        this.selection = new Selection("restore of '" + sourceName + "'");
    }

    /**
     * The newest committed backup (the default), narrowed by any other criterion given.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} after {@link #id}
     */
    public RestoreRequest latest() {
        selection.latest();
        return this;
    }

    /**
     * Exactly the backup with this id.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} with any other criterion
     */
    public RestoreRequest id(String backupId) {
        selection.id(backupId);
        return this;
    }

    /**
     * The newest backup whose data is consistent strictly before {@code instant} (a pre-breach restore).
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} after {@link #id} or another {@code before}
     */
    public RestoreRequest before(Instant instant) {
        selection.before(instant);
        return this;
    }

    /**
     * The newest backup carrying {@code tag} (and every other tag asked for).
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} after {@link #id}
     */
    public RestoreRequest tagged(String tag) {
        selection.tagged(tag);
        return this;
    }

    /**
     * The newest backup labelled {@code key=value} (e.g. {@code release=1.4.2}).
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} after {@link #id} or another value for {@code key}
     */
    public RestoreRequest label(String key, String value) {
        selection.label(key, value);
        return this;
    }

    /**
     * The backup of this source taken in backup set {@code setId} ({@link BackupSetResult#setId()}).
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} after {@link #id} or another set
     */
    public RestoreRequest set(String setId) {
        selection.set(setId);
        return this;
    }

    /** Where to restore; the source documents which target types it accepts. Required. */
    public RestoreRequest into(RestoreTarget target) {
        this.target = Objects.requireNonNull(target, "target");
        return this;
    }

    /**
     * Runs the source's post-restore checks (row/key counts against the manifest, user assertions)
     * and fails with {@code CHECK_FAILED} if any does not hold. The restored data is kept for
     * inspection. Default: checks run only where the target asks for them, and do not fail the restore.
     */
    public RestoreRequest checked() {
        this.checked = true;
        return this;
    }

    /**
     * The backup this request would restore (newest first, reading only the manifests needed).
     *
     * @throws BackupException {@code NOT_FOUND} if no backup matches
     */
    public Manifest selected() {
        return operation.catalog().select(sourceName, selection);
    }

    /**
     * Restores.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} without {@link #into}; {@code NOT_FOUND} if no
     *                         backup matches; {@code CHECKSUM_MISMATCH} if stored data is corrupt (nothing is
     *                         committed to the target); {@code DECRYPTION_FAILED}; {@code TARGET_NOT_EMPTY};
     *                         {@code CHECK_FAILED} with {@link #checked()}; {@code INTERNAL} for an unexpected error;
     *                         {@code INVALID_CONFIGURATION} naming the artifact to add when the source is not
     *                         configured and no {@link com.eazepay.backup.spi.SourceProvider} restores its type
     */
    public RestoreResult run() {
        if (target == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore of '" + sourceName
                    + "' has no target: call into(..)");
        }
        Manifest manifest = selected();
        BackupSource source = operation.sourceFor(sourceName, manifest);
        return operation.restore(source, manifest, target, checked);
    }
}
