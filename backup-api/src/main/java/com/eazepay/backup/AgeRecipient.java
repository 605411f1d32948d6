package com.eazepay.backup;

import com.eazepay.backup.internal.age.Bech32;

import java.util.Arrays;
import java.util.Locale;

/**
 * A public age X25519 recipient ({@code age1…}, as printed by {@code age-keygen}). Encrypting to a
 * recipient needs no secret: a service that only takes backups holds recipients only.
 *
 * <p>Immutable and thread-safe. {@link #toString()} is the {@code age1…} string, which is public and
 * is recorded in manifests as the recipient's fingerprint.
 */
public final class AgeRecipient {

    static final String HRP = "age";

    private final byte[] publicKey;
    private final String encoded;

    AgeRecipient(byte[] publicKey) {
        this.publicKey = publicKey.clone();
        this.encoded = Bech32.encode(HRP, publicKey);
    }

    /**
     * Parses an {@code age1…} recipient.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} (not retryable) naming the malformed
     *         recipient; if a secret key was passed by mistake its value is not shown
     */
    public static AgeRecipient parse(String recipient) {
        if (recipient == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "age recipient is null");
        }
        String trimmed = recipient.strip();
        if (trimmed.toUpperCase(Locale.ROOT).startsWith("AGE-SECRET-KEY-")) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "an AGE-SECRET-KEY was given where a public age1… recipient is expected (value not shown); "
                            + "pass the 'public key' line that age-keygen prints, and keep the secret key for restores");
        }
        Bech32.Decoded decoded;
        try {
            decoded = Bech32.decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw malformed(trimmed, e.getMessage());
        }
        if (!HRP.equals(decoded.hrp())) {
            throw malformed(trimmed, "it does not start with 'age1'");
        }
        if (decoded.data().length != 32) {
            throw malformed(trimmed, "it holds " + decoded.data().length + " bytes instead of 32");
        }
        return new AgeRecipient(decoded.data());
    }

    private static BackupException malformed(String value, String reason) {
        String shown = value.length() > 100 ? value.substring(0, 100) + "…" : value;
        return new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "malformed age recipient \"" + shown
                + "\": " + reason + "; expected 'age1' followed by 58 Bech32 characters, as printed by age-keygen");
    }

    /** The 32-byte X25519 public key. */
    byte[] publicKey() {
        return publicKey.clone();
    }

    /** The {@code age1…} encoding. */
    public String encoded() {
        return encoded;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgeRecipient r && Arrays.equals(publicKey, r.publicKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    /** The {@code age1…} encoding (public). */
    @Override
    public String toString() {
        return encoded;
    }
}
