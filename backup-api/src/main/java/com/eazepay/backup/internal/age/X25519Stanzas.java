package com.eazepay.backup.internal.age;

import org.bouncycastle.math.ec.rfc7748.X25519;

import java.security.SecureRandom;
import java.util.List;

/** The {@code X25519} recipient stanza: wrap a file key to a public key, unwrap with a scalar. */
public final class X25519Stanzas {

    /** Stanza type. */
    public static final String TYPE = "X25519";
    private static final String LABEL = "age-encryption.org/v1/X25519";

    private X25519Stanzas() {
    }

    /** The public key (u-coordinate) of a 32-byte private scalar. */
    public static byte[] publicKey(byte[] scalar) {
        byte[] pub = new byte[32];
        X25519.generatePublicKey(scalar, 0, pub, 0);
        return pub;
    }

    /**
     * Wraps {@code fileKey} to {@code recipient}.
     *
     * @throws IllegalArgumentException if the recipient is a low-order point
     */
    public static Stanza wrap(byte[] fileKey, byte[] recipient, SecureRandom random) {
        byte[] ephemeral = new byte[32];
        random.nextBytes(ephemeral);
        byte[] share = publicKey(ephemeral);
        byte[] shared = new byte[32];
        if (!X25519.calculateAgreement(ephemeral, 0, recipient, 0, shared, 0)) {
            throw new IllegalArgumentException("recipient is a low-order point");
        }
        byte[] wrapKey = AgePrimitives.hkdf(shared, concat(share, recipient), LABEL, 32);
        return new Stanza(TYPE, List.of(AgePrimitives.b64(share)), AgePrimitives.sealZeroNonce(wrapKey, fileKey));
    }

    /**
     * Tries to unwrap the file key from an {@code X25519} stanza.
     *
     * @return the 16-byte file key, or {@code null} when the stanza is for another recipient
     * @throws IllegalArgumentException when the stanza is malformed (a reason without secrets)
     */
    public static byte[] unwrap(Stanza stanza, byte[] scalar, byte[] ownPublicKey) {
        if (stanza.args().size() != 1) {
            throw new IllegalArgumentException("X25519 stanza must have exactly one argument");
        }
        byte[] share = AgePrimitives.unb64(stanza.args().get(0));
        if (share.length != 32) {
            throw new IllegalArgumentException("X25519 stanza share is not 32 bytes");
        }
        byte[] body = stanza.body();
        if (body.length != AgePrimitives.FILE_KEY_SIZE + AgePrimitives.TAG_SIZE) {
            throw new IllegalArgumentException("X25519 stanza body is not 32 bytes");
        }
        byte[] shared = new byte[32];
        if (!X25519.calculateAgreement(scalar, 0, share, 0, shared, 0)) {
            throw new IllegalArgumentException("X25519 stanza share is a low-order point");
        }
        byte[] wrapKey = AgePrimitives.hkdf(shared, concat(share, ownPublicKey), LABEL, 32);
        return AgePrimitives.openZeroNonce(wrapKey, body);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
