package com.eazepay.backup.spi;

import com.eazepay.backup.internal.codec.NoEncryption;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * A stream encryption format. Implementations are immutable and thread-safe; each call returns a
 * new stream. Closing a returned stream finishes the format and closes the wrapped stream.
 */
public interface Encryption {

    /** Persisted format id: {@code age}, {@code none}. Never renamed. */
    String id();

    /** File extension appended to stream names, without dot, or empty for none ({@code age}). */
    String extension();

    /**
     * Parameters recorded in the manifest: recipient fingerprints, never keys or passphrases.
     */
    Map<String, Object> parameters();

    /** Wraps {@code out}: bytes written to the result are encrypted into {@code out}. */
    OutputStream encrypt(OutputStream out);

    /**
     * Wraps {@code in}: reading the result yields the plaintext.
     *
     * @throws com.eazepay.backup.BackupException {@code DECRYPTION_FAILED} (from this call or from
     *         reads) when no configured identity matches, or the ciphertext was altered
     */
    InputStream decrypt(InputStream in);

    /**
     * Like {@link #decrypt(InputStream)}, given the {@link #parameters()} recorded in the backup's
     * manifest (e.g. its recipients), so errors can name them. The default ignores them.
     */
    default InputStream decrypt(InputStream in, Map<String, Object> manifestParameters) {
        return decrypt(in);
    }

    /** Whether this instance holds what decryption needs (a backup-only service does not). */
    boolean canDecrypt();

    /** No encryption. Must be chosen explicitly on the engine; recorded in the manifest. */
    static Encryption none() {
        return NoEncryption.INSTANCE;
    }
}
