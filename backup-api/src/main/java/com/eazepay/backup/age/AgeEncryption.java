package com.eazepay.backup.age;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.internal.age.AgeHeader;
import com.eazepay.backup.internal.age.AgePrimitives;
import com.eazepay.backup.internal.age.PayloadInputStream;
import com.eazepay.backup.internal.age.PayloadOutputStream;
import com.eazepay.backup.internal.age.ScryptStanzas;
import com.eazepay.backup.internal.age.Stanza;
import com.eazepay.backup.internal.age.X25519Stanzas;
import com.eazepay.backup.spi.Encryption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * age v1 encryption (<a href="https://age-encryption.org/v1">age-encryption.org/v1</a>),
 * byte-compatible with the {@code age} command line tool both ways: what this writes,
 * {@code age -d -i key.txt} decrypts; what {@code age -r} or {@code age -p} writes, this decrypts.
 *
 * <p>Two modes:
 * <ul>
 *   <li><b>Recipients</b> (X25519 public keys, {@code age1…}): services that only take backups hold
 *       the recipients, never the private key, so they cannot read old backups
 *       ({@link #canDecrypt()} is false). Several recipients are allowed (an ops key and an offline
 *       escrow key): any one identity decrypts. Restores add identities, which are loaded lazily,
 *       at each decryption, from a file, an environment variable or a secret-manager supplier.
 *   <li><b>Passphrase</b> (scrypt, for humans): {@link #withPassphrase(Secret)}.
 * </ul>
 *
 * <pre>{@code
 * // backup-only service
 * Encryption enc = AgeEncryption.toRecipients("age1ops…", "age1escrow…");
 * // restore host
 * Encryption restore = AgeEncryption.toRecipients("age1ops…", "age1escrow…")
 *         .withIdentityFile(Path.of("/run/secrets/backup-age-key.txt"));
 * // standard tools: age -d -i key.txt db.pgdump.zst.age | zstd -d | pg_restore -d newdb
 * }</pre>
 *
 * <p>Streams are bounded in memory (two 64 KiB buffers each) and never use temp files. The header
 * MAC and every 64 KiB payload chunk are authenticated before any plaintext is returned from that
 * chunk; tampering, truncation, reordering or removal of the final chunk fails with
 * {@link CoreErrorCode#DECRYPTION_FAILED} naming the chunk and its byte offset.
 *
 * <p>Immutable and thread-safe; the {@code with…} methods return new instances.
 * {@link #toString()} and {@link #parameters()} show public recipients only, never private keys or
 * passphrases.
 */
public final class AgeEncryption implements Encryption {

    private static final Logger LOG = LoggerFactory.getLogger(AgeEncryption.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The scrypt work factor (log2 N) used when encrypting with a passphrase, as the age CLI: 18. */
    public static final int DEFAULT_WORK_FACTOR = ScryptStanzas.DEFAULT_WORK_FACTOR;
    /** The largest scrypt work factor accepted, as the age CLI: 22 (needs 4 GiB of memory). */
    public static final int MAX_WORK_FACTOR = ScryptStanzas.MAX_WORK_FACTOR;

    private final List<AgeRecipient> recipients;
    private final Secret passphrase;
    private final int workFactor;
    private final List<IdentitySource> identitySources;

    private record IdentitySource(String description, Supplier<List<AgeIdentity>> supplier) {
        @Override
        public String toString() {
            return description;
        }
    }

    private AgeEncryption(List<AgeRecipient> recipients, Secret passphrase, int workFactor,
                          List<IdentitySource> identitySources) {
        this.recipients = List.copyOf(recipients);
        this.passphrase = passphrase;
        this.workFactor = workFactor;
        this.identitySources = List.copyOf(identitySources);
    }

    /**
     * Encrypts to the given {@code age1…} recipients (at least one). Without identities added,
     * the instance can only encrypt.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} quoting a malformed recipient
     */
    public static AgeEncryption toRecipients(String... recipients) {
        Objects.requireNonNull(recipients, "recipients");
        return toRecipients(Arrays.stream(recipients).map(AgeRecipient::parse).collect(Collectors.toList()));
    }

    /**
     * Encrypts to the given recipients (at least one, duplicates removed).
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} when the list is empty
     */
    public static AgeEncryption toRecipients(Collection<AgeRecipient> recipients) {
        List<AgeRecipient> list = recipients.stream().distinct().collect(Collectors.toList());
        if (list.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "AgeEncryption.toRecipients needs at least one age1… recipient");
        }
        return new AgeEncryption(list, null, DEFAULT_WORK_FACTOR, List.of());
    }

    /**
     * An instance that only decrypts (for restores and {@code rekey}): add identities with the
     * {@code with…} methods. {@link #encrypt} fails with {@code INVALID_CONFIGURATION}.
     */
    public static AgeEncryption decryptOnly() {
        return new AgeEncryption(List.of(), null, DEFAULT_WORK_FACTOR, List.of());
    }

    /**
     * Passphrase mode (an age scrypt stanza, what {@code age -p} writes), work factor
     * {@value #DEFAULT_WORK_FACTOR} (about 1 s and 256 MiB of memory per stream, on encryption
     * and on decryption). Prefer recipients for services: a passphrase must be present to encrypt.
     */
    public static AgeEncryption withPassphrase(Secret passphrase) {
        Objects.requireNonNull(passphrase, "passphrase");
        if (passphrase.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "the age passphrase is empty");
        }
        return new AgeEncryption(List.of(), passphrase, DEFAULT_WORK_FACTOR, List.of());
    }

    /**
     * The scrypt work factor (log2 N) for new passphrase-encrypted streams, 1 to
     * {@value #MAX_WORK_FACTOR}; default {@value #DEFAULT_WORK_FACTOR}. Memory is 2^N KiB.
     */
    public AgeEncryption withWorkFactor(int logN) {
        if (passphrase == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "withWorkFactor applies to passphrase mode only (AgeEncryption.withPassphrase)");
        }
        if (logN < 1 || logN > MAX_WORK_FACTOR) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "scrypt work factor must be between 1 and " + MAX_WORK_FACTOR + ", was " + logN);
        }
        return new AgeEncryption(recipients, passphrase, logN, identitySources);
    }

    /** Adds identities held in memory. */
    public AgeEncryption withIdentities(AgeIdentity... identities) {
        List<AgeIdentity> list = List.of(identities);
        if (list.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "withIdentities needs at least one identity");
        }
        return with(new IdentitySource("identities " + list, () -> list));
    }

    /**
     * Adds the identities of an {@code age-keygen} identity file, read at each decryption (so a
     * missing file fails the restore, not the start-up). A WARN is logged if the file is
     * accessible by group or others.
     */
    public AgeEncryption withIdentityFile(Path file) {
        Objects.requireNonNull(file, "file");
        return with(new IdentitySource("identity file " + file, () -> AgeKeys.readIdentityFile(file)));
    }

    /**
     * Adds the identities held in an environment variable (one {@code AGE-SECRET-KEY-1…}, or
     * identity-file contents), read at each decryption.
     */
    public AgeEncryption withIdentityFromEnv(String variable) {
        Objects.requireNonNull(variable, "variable");
        return with(new IdentitySource("environment variable " + variable, () -> {
            String value = System.getenv(variable);
            if (value == null || value.isBlank()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "environment variable " + variable
                        + " is not set or empty; it must hold an AGE-SECRET-KEY-1… to decrypt this backup");
            }
            return AgeKeys.parse(value, "environment variable " + variable);
        }));
    }

    /**
     * Adds identities from a caller-supplied source (a secret manager), called lazily at each
     * decryption and never cached. The supplier may throw {@link BackupException}; other runtime
     * exceptions are wrapped in {@code INVALID_CONFIGURATION}.
     */
    public AgeEncryption withIdentitySupplier(Supplier<List<AgeIdentity>> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        return with(new IdentitySource("identity supplier", supplier));
    }

    private AgeEncryption with(IdentitySource source) {
        if (passphrase != null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "identities do not apply to passphrase mode; use AgeEncryption.toRecipients(...) or decryptOnly()");
        }
        List<IdentitySource> sources = new ArrayList<>(identitySources);
        sources.add(source);
        return new AgeEncryption(recipients, null, workFactor, sources);
    }

    /** The recipients new backups are encrypted to (empty in passphrase and decrypt-only mode). */
    public List<AgeRecipient> recipients() {
        return recipients;
    }

    /** {@code age}. */
    @Override
    public String id() {
        return "age";
    }

    /** {@code age}. */
    @Override
    public String extension() {
        return "age";
    }

    /**
     * {@code {"recipients": ["age1…", …]}}, or {@code {"passphrase": true}} in passphrase mode: public
     * values only.
     */
    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        if (passphrase != null) {
            p.put("passphrase", true);
        } else {
            p.put("recipients", recipients.stream().map(AgeRecipient::encoded).collect(Collectors.toUnmodifiableList()));
        }
        return java.util.Collections.unmodifiableMap(p);
    }

    /**
     * Wraps {@code out} in an age v1 writer with a fresh random file key. Nothing is written until
     * the first byte or {@code close()}; {@code close()} writes the final chunk and closes
     * {@code out}. The returned stream is not thread-safe.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} for a decrypt-only instance
     */
    @Override
    public OutputStream encrypt(OutputStream out) {
        Objects.requireNonNull(out, "out");
        byte[] fileKey = new byte[AgePrimitives.FILE_KEY_SIZE];
        RANDOM.nextBytes(fileKey);
        List<Stanza> stanzas = new ArrayList<>();
        if (passphrase != null) {
            char[] chars = passphrase.revealChars();
            try {
                stanzas.add(ScryptStanzas.wrap(fileKey, chars, workFactor, RANDOM));
            } catch (IllegalArgumentException e) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                        "cannot encrypt with a passphrase: " + e.getMessage() + ", or lower withWorkFactor(..)");
            } finally {
                Arrays.fill(chars, '\0');
            }
        } else {
            if (recipients.isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                        "this AgeEncryption is decrypt-only: configure AgeEncryption.toRecipients(\"age1…\") to encrypt");
            }
            for (AgeRecipient r : recipients) {
                try {
                    stanzas.add(X25519Stanzas.wrap(fileKey, r.publicKey(), RANDOM));
                } catch (IllegalArgumentException e) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                            "age recipient " + r + " is not a usable X25519 public key (" + e.getMessage() + ")");
                }
            }
        }
        return new PayloadOutputStream(out, AgeHeader.write(stanzas, fileKey), fileKey, RANDOM);
    }

    /**
     * Wraps {@code in} in an age v1 reader. The header is read, the file key unwrapped (identities
     * are loaded then) and the header MAC checked at the first read. Closing the result closes
     * {@code in}. The returned stream is not thread-safe.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} from this call when no identity or
     *         passphrase is configured; from reads: {@code CORRUPT_DATA} when the data is not an age
     *         file, {@code DECRYPTION_FAILED} for a wrong identity or passphrase, an altered header
     *         or payload, truncation, reordering or a missing final chunk. Not retryable.
     */
    @Override
    public InputStream decrypt(InputStream in) {
        return decrypt(in, List.of());
    }

    /** Names the manifest's recipients in the "no identity matches" error. */
    @Override
    public InputStream decrypt(InputStream in, Map<String, Object> manifestParameters) {
        Object recorded = manifestParameters == null ? null : manifestParameters.get("recipients");
        List<String> names = recorded instanceof Collection<?> c ? c.stream().map(String::valueOf).toList() : List.of();
        return decrypt(in, names);
    }

    /**
     * As {@link #decrypt(InputStream)}; {@code backupRecipients} (the manifest's
     * {@code recipients} parameter) are named in the "no identity matches" error, because age
     * files do not reveal their recipients.
     */
    public InputStream decrypt(InputStream in, Collection<String> backupRecipients) {
        Objects.requireNonNull(in, "in");
        if (!canDecrypt()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "this AgeEncryption holds only public recipients " + recipients + " and cannot decrypt: add the "
                            + "private key with withIdentityFile(...), withIdentityFromEnv(...) or withIdentitySupplier(...)");
        }
        return new DecryptingStream(in, List.copyOf(backupRecipients));
    }

    /** True in passphrase mode or when at least one identity source is configured. */
    @Override
    public boolean canDecrypt() {
        return passphrase != null || !identitySources.isEmpty();
    }

    private byte[] unwrapFileKey(AgeHeader header, List<String> backupRecipients) {
        List<Stanza> stanzas = header.stanzas();
        long scrypts = stanzas.stream().filter(s -> ScryptStanzas.TYPE.equals(s.type())).count();
        long x25519 = stanzas.stream().filter(s -> X25519Stanzas.TYPE.equals(s.type())).count();
        if (scrypts > 0 && stanzas.size() != 1) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA,
                    "malformed age header: an scrypt stanza must be the only stanza");
        }
        if (passphrase != null) {
            if (scrypts == 0) {
                throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "this backup is encrypted to " + x25519
                        + " age recipient(s), not with a passphrase: configure its identity with "
                        + "AgeEncryption.decryptOnly().withIdentityFile(...)");
            }
            char[] chars = passphrase.revealChars();
            byte[] fileKey;
            try {
                fileKey = ScryptStanzas.unwrap(stanzas.get(0), chars, MAX_WORK_FACTOR);
            } catch (IllegalArgumentException e) {
                throw new BackupException(CoreErrorCode.DECRYPTION_FAILED,
                        "cannot use the age scrypt stanza: " + e.getMessage());
            } finally {
                Arrays.fill(chars, '\0');
            }
            if (fileKey == null || fileKey.length != AgePrimitives.FILE_KEY_SIZE) {
                throw new BackupException(CoreErrorCode.DECRYPTION_FAILED,
                        "wrong passphrase: it does not decrypt this backup's age file key");
            }
            return fileKey;
        }
        if (scrypts > 0) {
            throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "this backup is passphrase-encrypted "
                    + "(age -p, scrypt): configure AgeEncryption.withPassphrase(...) to decrypt it");
        }
        List<AgeIdentity> identities = loadIdentities();
        for (AgeIdentity identity : identities) {
            byte[] scalar = identity.scalar();
            byte[] pub = identity.recipient().publicKey();
            for (Stanza s : stanzas) {
                if (!X25519Stanzas.TYPE.equals(s.type())) {
                    continue; // unknown stanza types (plugins, grease) are for other identities
                }
                byte[] fileKey;
                try {
                    fileKey = X25519Stanzas.unwrap(s, scalar, pub);
                } catch (IllegalArgumentException e) {
                    throw new BackupException(CoreErrorCode.CORRUPT_DATA, "malformed age header: " + e.getMessage());
                }
                if (fileKey != null && fileKey.length == AgePrimitives.FILE_KEY_SIZE) {
                    Arrays.fill(scalar, (byte) 0);
                    LOG.debug("age file key unwrapped with the identity of {}", identity.recipient());
                    return fileKey;
                }
            }
            Arrays.fill(scalar, (byte) 0);
        }
        String named = backupRecipients.isEmpty()
                ? x25519 + " X25519 recipient(s); age files do not name them, see the manifest's encryption parameters"
                : String.join(", ", backupRecipients);
        throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "no identity matches any recipient of this backup "
                + "(recipients: " + named + "); tried identities of "
                + identities.stream().map(i -> i.recipient().encoded()).collect(Collectors.joining(", "))
                + "; configure the identity for one of them");
    }

    private List<AgeIdentity> loadIdentities() {
        List<AgeIdentity> all = new ArrayList<>();
        for (IdentitySource source : identitySources) {
            List<AgeIdentity> got;
            try {
                got = source.supplier().get();
            } catch (BackupException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "loading age identities from "
                        + source + " failed: " + e.getClass().getName(), e);
            }
            if (got == null || got.isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                        "the " + source + " returned no age identity");
            }
            all.addAll(got);
        }
        return all;
    }

    /** {@code age(recipients=[age1…], identities=[identity file …])}; never a key or passphrase. */
    @Override
    public String toString() {
        if (passphrase != null) {
            return "age(passphrase, workFactor=" + workFactor + ")";
        }
        return "age(recipients=" + recipients + ", identities=" + identitySources + ")";
    }

    /** Reads and checks the header at the first read, then delegates to the payload reader. */
    private final class DecryptingStream extends InputStream {
        private final InputStream raw;
        private final List<String> backupRecipients;
        private InputStream payload;
        private boolean closed;
        private BackupException failure;

        DecryptingStream(InputStream raw, List<String> backupRecipients) {
            this.raw = raw;
            this.backupRecipients = backupRecipients;
        }

        private InputStream payload() throws IOException {
            if (closed) {
                throw new IOException("age stream is closed");
            }
            if (failure != null) {
                throw failure;
            }
            if (payload == null) {
                try {
                    payload = open();
                } catch (BackupException e) {
                    failure = e; // sticky: the header was partly consumed
                    throw e;
                }
            }
            return payload;
        }

        private InputStream open() throws IOException {
            BufferedInputStream in = new BufferedInputStream(raw);
            AgeHeader header = AgeHeader.read(in);
            byte[] fileKey = unwrapFileKey(header, backupRecipients);
            if (!header.macMatches(fileKey)) {
                throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "age header MAC check failed: the "
                        + "header of this backup (its first " + header.length() + " bytes) was altered or is corrupt");
            }
            InputStream result = new PayloadInputStream(in, fileKey, header.length());
            Arrays.fill(fileKey, (byte) 0);
            return result;
        }

        @Override
        public int read() throws IOException {
            return payload().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return payload().read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return payload == null || closed ? 0 : payload.available();
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                if (payload != null) {
                    payload.close();
                } else {
                    raw.close();
                }
            }
        }
    }
}
