package com.eazepay.backup.age;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.internal.age.Bech32;
import com.eazepay.backup.internal.age.X25519Stanzas;

import java.util.Locale;

/**
 * An age X25519 identity (private key, {@code AGE-SECRET-KEY-1…}): what a restore needs. Keep it
 * in a secret store or an off-site escrow; services that only back up need its
 * {@link #recipient()} only.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows only the public recipient
 * ({@code AgeIdentity[age1…]}); the secret key appears only through {@link #reveal()}.
 */
public final class AgeIdentity {

    static final String HRP = "age-secret-key-";

    private final byte[] scalar;
    private final AgeRecipient recipient;

    AgeIdentity(byte[] scalar) {
        if (scalar.length != 32) {
            throw new IllegalArgumentException("X25519 scalar must be 32 bytes");
        }
        this.scalar = scalar.clone();
        this.recipient = new AgeRecipient(X25519Stanzas.publicKey(this.scalar));
    }

    /**
     * Parses an {@code AGE-SECRET-KEY-1…} string (one key, either case, surrounding whitespace
     * ignored; no comments: see {@link AgeKeys#parseIdentities(Secret)} for identity-file contents).
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} (not retryable) "malformed AGE-SECRET-KEY
     *         (value not shown)" with the reason (and, when the key does not start the value, where it
     *         starts); the message never contains the value
     */
    public static AgeIdentity parse(Secret secretKey) {
        String value = secretKey.reveal().strip();
        Bech32.Decoded decoded;
        try {
            decoded = Bech32.decode(value);
        } catch (IllegalArgumentException e) {
            // e's message never contains the input; still not chained, to be safe with future changes
            throw malformed(value, e.getMessage());
        }
        if (!HRP.equals(decoded.hrp())) {
            throw malformed(value, "it does not start with AGE-SECRET-KEY-1");
        }
        if (decoded.data().length != 32) {
            throw malformed(value, "it holds " + decoded.data().length + " bytes instead of 32");
        }
        return new AgeIdentity(decoded.data());
    }

    private static BackupException malformed(String value, String reason) {
        int at = secretKeyMarkerAt(value);
        String where = at > 0
                ? "; the key starts at character " + (at + 1) + " of " + value.length()
                        + ": remove what precedes it (quotes, a NAME= prefix, an invisible character such as U+00A0)"
                : "";
        return new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                "malformed AGE-SECRET-KEY (value not shown): " + reason + where);
    }

    /**
     * Where {@code AGE-SECRET-KEY-} starts in {@code value}, in any case, or -1: a value holding it
     * anywhere (quoted, {@code BACKUP_KEY=AGE-SECRET-KEY-…}, after a non-breaking space) is a
     * secret key and must never be echoed.
     */
    static int secretKeyMarkerAt(String value) {
        String marker = "AGE-SECRET-KEY-";
        for (int i = 0; i + marker.length() <= value.length(); i++) {
            if (value.regionMatches(true, i, marker, 0, marker.length())) {
                return i;
            }
        }
        return -1;
    }

    /** The public recipient matching this identity. */
    public AgeRecipient recipient() {
        return recipient;
    }

    /** The {@code AGE-SECRET-KEY-1…} encoding (uppercase, as age-keygen writes it). Never log it. */
    public Secret reveal() {
        return Secret.of(Bech32.encode(HRP, scalar).toUpperCase(Locale.ROOT));
    }

    /** The 32-byte scalar, for the format code in this package. */
    byte[] scalar() {
        return scalar.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgeIdentity i && recipient.equals(i.recipient);
    }

    @Override
    public int hashCode() {
        return recipient.hashCode();
    }

    /** {@code AgeIdentity[age1…]}: the public recipient only. */
    @Override
    public String toString() {
        return "AgeIdentity[" + recipient.encoded() + "]";
    }
}
