package com.eazepay.backup.internal.age;

import org.bouncycastle.crypto.generators.SCrypt;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/** The {@code scrypt} passphrase stanza: {@code -> scrypt <salt> <log2 N>}, r = 8, p = 1. */
public final class ScryptStanzas {

    /** Stanza type. */
    public static final String TYPE = "scrypt";
    /** The work factor (log2 N) age uses by default. */
    public static final int DEFAULT_WORK_FACTOR = 18;
    /** The largest work factor accepted when decrypting, as the age CLI (2^22 needs 4 GiB). */
    public static final int MAX_WORK_FACTOR = 22;
    private static final byte[] LABEL = "age-encryption.org/v1/scrypt".getBytes(StandardCharsets.US_ASCII);

    private ScryptStanzas() {
    }

    /** Wraps {@code fileKey} with a key derived from {@code passphrase}. */
    public static Stanza wrap(byte[] fileKey, char[] passphrase, int workFactor, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        byte[] key = derive(passphrase, salt, workFactor);
        return new Stanza(TYPE, List.of(AgePrimitives.b64(salt), Integer.toString(workFactor)),
                AgePrimitives.sealZeroNonce(key, fileKey));
    }

    /** The work factor of a well-formed scrypt stanza. */
    public static int workFactor(Stanza stanza) {
        if (stanza.args().size() != 2) {
            throw new IllegalArgumentException("scrypt stanza must have exactly two arguments");
        }
        String logN = stanza.args().get(1);
        if (!logN.matches("[1-9][0-9]{0,2}")) {
            throw new IllegalArgumentException("scrypt work factor is not a decimal number without leading zeros");
        }
        return Integer.parseInt(logN);
    }

    /**
     * Unwraps the file key.
     *
     * @return the file key, or {@code null} when the passphrase is wrong
     * @throws IllegalArgumentException when the stanza is malformed or its work factor is too large
     */
    public static byte[] unwrap(Stanza stanza, char[] passphrase, int maxWorkFactor) {
        int workFactor = workFactor(stanza);
        if (workFactor > maxWorkFactor) {
            throw new IllegalArgumentException("scrypt work factor " + workFactor + " exceeds the maximum "
                    + maxWorkFactor + " (it would need " + (1L << workFactor) / 1024 + " MiB of memory)");
        }
        byte[] salt = AgePrimitives.unb64(stanza.args().get(0));
        if (salt.length != 16) {
            throw new IllegalArgumentException("scrypt salt is not 16 bytes");
        }
        byte[] body = stanza.body();
        if (body.length != AgePrimitives.FILE_KEY_SIZE + AgePrimitives.TAG_SIZE) {
            throw new IllegalArgumentException("scrypt stanza body is not 32 bytes");
        }
        return AgePrimitives.openZeroNonce(derive(passphrase, salt, workFactor), body);
    }

    private static byte[] derive(char[] passphrase, byte[] salt, int workFactor) {
        // scrypt with r = 8 needs 1 KiB per unit of N in one allocation: say so instead of failing
        // with an OutOfMemoryError deep inside Bouncy Castle.
        long needed = (1L << workFactor) * 1024;
        long max = Runtime.getRuntime().maxMemory();
        if (max != Long.MAX_VALUE && needed > max * 3 / 4) {
            throw new IllegalArgumentException("scrypt work factor " + workFactor + " needs " + (needed >> 20)
                    + " MiB of heap, more than this JVM can give (maximum heap " + (max >> 20)
                    + " MiB): run with a larger -Xmx");
        }
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] pass = new byte[encoded.remaining()];
        encoded.get(pass);
        Arrays.fill(encoded.array(), (byte) 0);
        try {
            return SCrypt.generate(pass, X25519Stanzas.concat(LABEL, salt), 1 << workFactor, 8, 1, 32);
        } finally {
            Arrays.fill(pass, (byte) 0);
        }
    }
}
