package com.eazepay.backup.age;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
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
     * Parses an {@code age1…} recipient (surrounding whitespace ignored).
     *
     * <p>The value is never quoted in an error: a value that is not a recipient may be a secret key
     * pasted by mistake (quoted, behind a {@code NAME=} prefix or an invisible character, in lower
     * case), so the message gives its length, how it starts (a letter, a digit, or the code point of
     * any other character) and the reason only.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} (not retryable) describing, without the
     *         value, why it is not a recipient; if it contains {@code AGE-SECRET-KEY-} (anywhere, any
     *         case) the message says a secret key was given
     */
    public static AgeRecipient parse(String recipient) {
        if (recipient == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "age recipient is null");
        }
        String trimmed = recipient.strip();
        Bech32.Decoded decoded;
        try {
            decoded = Bech32.decode(trimmed);
        } catch (IllegalArgumentException e) {
            // the reason names positions, never characters of the input; not chained, to be safe
            throw notARecipient(recipient, trimmed, e.getMessage());
        }
        if (!HRP.equals(decoded.hrp())) {
            throw notARecipient(recipient, trimmed, "it does not start with 'age1'");
        }
        if (decoded.data().length != 32) {
            throw notARecipient(recipient, trimmed, "it holds " + decoded.data().length + " bytes instead of 32");
        }
        return new AgeRecipient(decoded.data());
    }

    private static BackupException notARecipient(String raw, String trimmed, String reason) {
        if (AgeIdentity.secretKeyMarkerAt(raw) >= 0) {
            return new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "an AGE-SECRET-KEY was given where a public age1… recipient is expected (value not shown); "
                            + "pass the 'public key' line that age-keygen prints, and keep the secret key for restores");
        }
        return new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "the value (" + describe(trimmed)
                + ") is not an age recipient: " + reason
                + "; expected 'age1' followed by 58 Bech32 characters, as printed by age-keygen (value not shown)");
    }

    /**
     * Length and the class of the first character, never the value: {@code 62 characters, starting
     * with a letter} or {@code 63 characters, starting with U+00A0 (NO-BREAK SPACE)}. Letters and
     * digits are never named (they could be key material); other characters cannot be.
     */
    static String describe(String value) {
        if (value.isEmpty()) {
            return "empty";
        }
        int first = value.codePointAt(0);
        String start;
        if (Character.isLetter(first)) {
            start = "a letter";
        } else if (Character.isDigit(first)) {
            start = "a digit";
        } else {
            String name = Character.getName(first);
            start = String.format(Locale.ROOT, "U+%04X", first) + (name == null ? "" : " (" + name + ")");
        }
        int length = value.codePointCount(0, value.length());
        return length + (length == 1 ? " character" : " characters") + ", starting with " + start;
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
