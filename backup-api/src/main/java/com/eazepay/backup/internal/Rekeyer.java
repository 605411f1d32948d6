package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.io.VerifyingInputStream;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.time.Instant;
import java.util.Optional;

/**
 * Re-encrypts a committed backup to a new recipient set (key rotation after a breach). For each
 * stream: the stored object is read and its SHA-256 checked, decrypted with the old identity, and
 * encrypted to the new recipients into a new object (compression untouched); the new object is read
 * back and its SHA-256 checked; then the manifest is replaced (the commit point) and only then are the
 * old objects deleted. A failure before the manifest is replaced deletes the new objects and leaves
 * the backup exactly as it was; a failure to delete an old object after it is logged (the rekey is
 * done; the object goes when the backup is pruned). New objects and the new manifest keep the
 * backup's object-lock date ({@link Manifest#OBJECT_LOCK_UNTIL_FACT}) while it is in the future.
 */
public final class Rekeyer {

    private static final Logger LOG = LoggerFactory.getLogger(Rekeyer.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final StorageTarget storage;
    private final Clock clock;
    private final PipelineThreads threads;

    public Rekeyer(StorageTarget storage, Clock clock, PipelineThreads threads) {
        this.storage = storage;
        this.clock = clock;
        this.threads = threads;
    }

    /**
     * Rewrites {@code manifest}'s streams for {@code to}; returns the new manifest.
     *
     * @param from encryption able to decrypt the backup (holding an identity)
     * @param to   the new encryption (recipients only is enough)
     */
    public Manifest rekey(Manifest manifest, Encryption from, Encryption to) {
        if (manifest.encryption() == null || "none".equals(manifest.encryption().id())) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "backup " + manifest.id() + " of '" + manifest.source()
                    + "' is not encrypted; rekey re-encrypts encrypted backups only");
        }
        if (!from.canDecrypt()) {
            throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "rekey of backup " + manifest.id()
                    + " needs the current identity: configure encryption(..) with an identity on the engine");
        }
        String suffix = SUFFIX.format(clock.instant());
        PutOptions options = lockedUntil(manifest).map(PutOptions.forData()::withRetainUntil).orElse(PutOptions.forData());
        List<Manifest.StreamInfo> rewritten = new ArrayList<>();
        List<String> newKeys = new ArrayList<>();
        try {
            for (Manifest.StreamInfo s : manifest.streams()) {
                Manifest.StreamInfo n = rewrite(manifest, s, from, to, suffix, options);
                newKeys.add(RepositoryLayout.streamKey(manifest.source(), manifest.id(), n.object()));
                verifyStored(manifest, n);
                rewritten.add(n);
            }
            Map<String, Object> facts = new TreeMap<>(manifest.facts());
            facts.put("rekeyedAt", clock.instant().toString());
            Manifest updated = new Manifest(manifest.formatVersion(), manifest.id(), manifest.source(), manifest.sourceType(),
                    manifest.trigger(), manifest.tags(), manifest.labels(), manifest.setId(), manifest.startedAt(),
                    manifest.completedAt(), manifest.consistentAt(), manifest.libraryVersion(), manifest.compression(),
                    new Manifest.Codec(to.id(), to.parameters()), rewritten, facts);
            byte[] json = Json.write(updated);
            storage.put(RepositoryLayout.manifestKey(manifest.source(), manifest.id()), new ByteArrayInputStream(json),
                    new PutOptions(json.length, "application/json", options.retainUntil())); // bookkeeping, locked alike
            newKeys.clear(); // committed: the new objects are now the backup, and nothing after this fails the rekey
            for (Manifest.StreamInfo old : manifest.streams()) {
                String oldKey = RepositoryLayout.streamKey(manifest.source(), manifest.id(), old.object());
                try {
                    storage.delete(oldKey);
                } catch (BackupException e) {
                    LOG.warn("backup {} of '{}' is re-encrypted but deleting its old object {} failed ({}): {}; it is removed "
                            + "when the backup is pruned", manifest.id(), manifest.source(), oldKey, e.errorCode().name(), e.getMessage());
                }
            }
            LOG.info("backup {} of '{}' re-encrypted to {}", manifest.id(), manifest.source(), to.parameters());
            return updated;
        } catch (RuntimeException e) {
            for (String key : newKeys) {
                try {
                    storage.delete(key);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /** The backup's object-lock date, while it is in the future (storage refuses past dates). */
    private Optional<Instant> lockedUntil(Manifest manifest) {
        Object until = manifest.facts().get(Manifest.OBJECT_LOCK_UNTIL_FACT);
        if (until == null) {
            return Optional.empty();
        }
        Instant t = Instant.parse(until.toString());
        return t.isAfter(clock.instant()) ? Optional.of(t) : Optional.empty();
    }

    private Manifest.StreamInfo rewrite(Manifest manifest, Manifest.StreamInfo s, Encryption from, Encryption to, String suffix,
                                        PutOptions options) {
        String base = s.object().endsWith("." + from.extension()) ? s.object().substring(0, s.object().length() - from.extension().length() - 1)
                : s.object();
        String object = base + "." + suffix + (to.extension().isEmpty() ? "" : "." + to.extension());
        String key = RepositoryLayout.streamKey(manifest.source(), manifest.id(), object);
        Manifest.StreamInfo[] result = new Manifest.StreamInfo[1];
        // Compression.none(): the compressed bytes are re-encrypted as they are.
        PipelineStream out = new PipelineStream(s.name(), object, s.format(), key, storage, Compression.none(), to, threads,
                options, info -> result[0] = info);
        try (InputStream in = DecodedStreams.open(storage, manifest,
                new Manifest.StreamInfo(s.name(), s.object(), s.format(), s.storedSize(), s.sha256(), -1), Compression.none(), from)) {
            transferUnchecked(in, out);
            out.close();
        } catch (IOException | RuntimeException e) {
            out.abort(e);
            throw e instanceof BackupException be ? be
                    : new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "re-encrypting " + key + " failed: " + e, e);
        }
        // the plaintext size is the source's, unchanged by re-encryption
        return new Manifest.StreamInfo(s.name(), object, s.format(), result[0].storedSize(), result[0].sha256(), s.plaintextSize());
    }

    private static void transferUnchecked(InputStream in, PipelineStream out) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
    }

    private void verifyStored(Manifest manifest, Manifest.StreamInfo s) {
        String key = RepositoryLayout.streamKey(manifest.source(), manifest.id(), s.object());
        try (InputStream in = new VerifyingInputStream(storage.get(key), key, s.storedSize(), s.sha256())) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading back " + key + " failed: " + e, e);
        }
    }
}
