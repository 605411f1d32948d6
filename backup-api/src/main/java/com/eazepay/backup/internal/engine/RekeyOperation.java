package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupFilter;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.Rekeyer;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Encryption;

import java.util.ArrayList;
import java.util.List;

/** Re-encrypts committed backups of a source to a new encryption (key rotation). Thread-safe. */
public final class RekeyOperation {

    private final EngineConfig config;
    private final RepositoryCatalog catalog;

    public RekeyOperation(EngineConfig config, RepositoryCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    /** Rekeys backup {@code id} (every encrypted backup of the source when null); returns the new manifests. */
    public List<Manifest> run(String sourceName, String id, Encryption to) {
        config.checkOpen();
        refusePlaintextRekey(sourceName, to);
        Rekeyer rekeyer = new Rekeyer(config.repository(), config.clock(), config.executor());
        List<Manifest> targets = id != null ? List.of(catalog.readManifest(sourceName, id)) : catalog.list(sourceName, BackupFilter.all());
        List<Manifest> done = new ArrayList<>();
        for (Manifest m : targets) {
            if (!"none".equals(m.encryption() == null ? "none" : m.encryption().id())) {
                done.add(rekeyer.rekey(m, config.decryptionFor(m), to));
            }
        }
        return done;
    }

    /** The backup's guard against plaintext, for rekeys: a rekey to none must not decrypt what a backup would refuse to store plainly. */
    private void refusePlaintextRekey(String sourceName, Encryption to) {
        if (!"none".equals(to.id()) || config.allowPlaintextSensitive()) {
            return;
        }
        BackupSource s = config.sources().get(sourceName);
        if (s == null || s.sensitive()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "rekey of '" + sourceName + "' to Encryption.none() "
                    + "would store " + (s == null ? "the backups of a source this engine does not know (so cannot tell whether it "
                    + "is sensitive)" : "sensitive data") + " in plaintext: rekey to AgeEncryption.toRecipients(..), or build the "
                    + "engine with allowUnencryptedSensitiveData()");
        }
    }
}
