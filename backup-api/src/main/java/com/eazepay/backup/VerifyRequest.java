package com.eazepay.backup;

import com.eazepay.backup.internal.engine.RestoreOperation;
import com.eazepay.backup.internal.engine.Selection;
import com.eazepay.backup.internal.engine.VerifyOperation;

import java.time.Instant;

/**
 * An integrity verification of one backup: every stream is read from storage and checked against
 * the manifest's SHA-256 and size, then (when the engine can decrypt) decrypted and decompressed.
 * The backup is chosen as for a restore ({@link RestoreRequest}): {@link #latest()} by default,
 * narrowed by {@link #before}, {@link #tagged}, {@link #label}, {@link #set}, or exactly {@link #id};
 * conflicting choices are refused with {@code INVALID_CONFIGURATION}. Not thread-safe; use once.
 */
public final class VerifyRequest {

    private final RestoreOperation operation;
    private final VerifyOperation verifies;
    private final com.eazepay.backup.internal.engine.RestoreTestOperation restoreTests;
    private final String source;
    private final Selection selection;

    VerifyRequest(RestoreOperation operation, VerifyOperation verifies,
                  com.eazepay.backup.internal.engine.RestoreTestOperation restoreTests, String source) {
        this.operation = operation;
        this.verifies = verifies;
        this.restoreTests = restoreTests;
        this.source = source;
        this.selection = new Selection("verification of '" + source + "'");
    }

    /** The newest backup (the default). @throws BackupException {@code INVALID_CONFIGURATION} after {@link #id} */
    public VerifyRequest latest() {
        selection.latest();
        return this;
    }

    /** Exactly the backup with this id. @throws BackupException {@code INVALID_CONFIGURATION} with any other criterion */
    public VerifyRequest id(String backupId) {
        selection.id(backupId);
        return this;
    }

    /** The newest backup consistent strictly before {@code instant}. */
    public VerifyRequest before(Instant instant) {
        selection.before(instant);
        return this;
    }

    /** The newest backup with {@code tag}. */
    public VerifyRequest tagged(String tag) {
        selection.tagged(tag);
        return this;
    }

    /** The newest backup labelled {@code key=value}. */
    public VerifyRequest label(String key, String value) {
        selection.label(key, value);
        return this;
    }

    /** The backup of this source taken in backup set {@code setId}. */
    public VerifyRequest set(String setId) {
        selection.set(setId);
        return this;
    }

    /**
     * Verifies. A corrupt backup is reported in the result ({@link VerificationReport#passed()} false),
     * not thrown: call {@link VerificationReport#orThrow()} to fail on it.
     *
     * @throws BackupException {@code NOT_FOUND} if no backup matches
     */
    public VerificationReport run() {
        return operation.verify(operation.catalog().select(source, selection));
    }

    /**
     * Verifies the selected backup on the repository and on every replica: size and SHA-256 of every
     * stored object, decryption, decompression, and the source type's own format validator on the
     * plaintext ({@code pg_restore --list}, the RDB checksum and structure, the tar walk...), without
     * restoring. A corrupt or invalid backup is reported in the result, not thrown: call
     * {@link IntegrityReport#orThrow()} to fail on it. Recorded as an {@code integrity} report under
     * {@code reports/verify/} in the repository.
     *
     * @throws BackupException {@code NOT_FOUND} if no backup matches
     */
    public IntegrityReport integrity() {
        return verifies.integrity(verifies.catalog().select(source, selection));
    }

    /**
     * A restore test of this source instead: restore into a throw-away target, check, drop (see
     * {@link RestoreTestRequest}). The selection made on this request so far is ignored: choose the backup on
     * the returned request.
     */
    public RestoreTestRequest restoreTest() {
        return new RestoreTestRequest(restoreTests, source);
    }
}
