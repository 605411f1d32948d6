package com.eazepay.backup;

import com.eazepay.backup.internal.engine.RekeyOperation;
import com.eazepay.backup.spi.Encryption;

import java.util.List;
import java.util.Objects;

/**
 * Re-encrypts existing backups of a source to a new recipient set (key rotation, e.g. after a key
 * was exposed). The engine's encryption must hold an identity able to decrypt them. Each rewritten
 * object is read back and its SHA-256 checked before the manifest is replaced and the old object
 * deleted; a failure leaves that backup exactly as it was. New backups keep using the engine's
 * configured encryption: build the engine with the new recipients too. Replicas are not rewritten:
 * rekey each replica through an engine whose repository it is. Not thread-safe; use once.
 *
 * <pre>{@code
 * engine.rekey("postgres").to(AgeEncryption.toRecipients("age1new...", "age1escrow...")).run();
 * }</pre>
 */
public final class RekeyRequest {

    private final RekeyOperation operation;
    private final String source;
    private Encryption to;
    private String id;

    RekeyRequest(RekeyOperation operation, String source) {
        this.operation = operation;
        this.source = source;
    }

    /** The new encryption (recipients are enough). Required. */
    public RekeyRequest to(Encryption encryption) {
        this.to = Objects.requireNonNull(encryption, "encryption");
        return this;
    }

    /** Only the backup with this id. Default: every committed backup of the source. */
    public RekeyRequest id(String backupId) {
        this.id = Objects.requireNonNull(backupId, "backupId");
        return this;
    }

    /**
     * Re-encrypts; returns the new manifests.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} without {@link #to}, or for {@code to(Encryption.none())}
     *                         on a sensitive (or unconfigured) source unless the engine allows unencrypted sensitive
     *                         data; {@code DECRYPTION_FAILED}
     *                         if the engine cannot decrypt; storage codes if writing fails (that backup unchanged)
     */
    public List<Manifest> run() {
        if (to == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "rekey of '" + source + "' has no new encryption: call to(..)");
        }
        return operation.run(source, id, to);
    }
}
