package com.eazepay.backup.internal.age;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/** HKDF-SHA-256, HMAC-SHA-256, one-shot ChaCha20-Poly1305 with a zero nonce, strict base64. */
public final class AgePrimitives {

    /** The age v1 version line. */
    public static final String VERSION_LINE = "age-encryption.org/v1";
    /** Size of the symmetric file key. */
    public static final int FILE_KEY_SIZE = 16;
    /** Poly1305 tag size. */
    public static final int TAG_SIZE = 16;

    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private AgePrimitives() {
    }

    /** HKDF-SHA-256(ikm, salt, info) of {@code length} bytes; a null or empty salt means no salt. */
    public static byte[] hkdf(byte[] ikm, byte[] salt, String info, int length) {
        HKDFBytesGenerator gen = new HKDFBytesGenerator(new SHA256Digest());
        gen.init(new HKDFParameters(ikm, salt == null || salt.length == 0 ? null : salt,
                info.getBytes(StandardCharsets.US_ASCII)));
        byte[] out = new byte[length];
        gen.generateBytes(out, 0, length);
        return out;
    }

    /** HMAC-SHA-256. */
    public static byte[] hmacSha256(byte[] key, byte[] data, int len) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, 0, len);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable in this JVM", e);
        }
    }

    /** A new JDK ChaCha20-Poly1305 cipher. */
    public static Cipher newChaCha() {
        try {
            return Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 unavailable in this JVM (Java 11+ required)", e);
        }
    }

    /** ChaCha20-Poly1305 seal with a zero nonce (for wrapping a file key with a single-use key). */
    public static byte[] sealZeroNonce(byte[] key, byte[] plaintext) {
        try {
            Cipher c = newChaCha();
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    /** ChaCha20-Poly1305 open with a zero nonce; {@code null} when authentication fails. */
    public static byte[] openZeroNonce(byte[] key, byte[] ciphertext) {
        try {
            Cipher c = newChaCha();
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    /** Standard base64 without padding. */
    public static String b64(byte[] data) {
        return B64.encodeToString(data);
    }

    /**
     * Strict, canonical, unpadded standard base64 as age requires.
     *
     * @throws IllegalArgumentException if not canonical
     */
    public static byte[] unb64(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!ok) {
                throw new IllegalArgumentException("invalid base64 character");
            }
        }
        byte[] out = B64_DECODER.decode(s);
        if (!B64.encodeToString(out).equals(s)) {
            throw new IllegalArgumentException("non-canonical base64");
        }
        return out;
    }
}
