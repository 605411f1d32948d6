package com.eazepay.backup.internal.age;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * Writes an age file: the header (given, written before the first byte), a random 16-byte
 * nonce, then the plaintext in 64 KiB ChaCha20-Poly1305 chunks. {@link #close()} writes the
 * final chunk (flagged last) and closes the wrapped stream. Memory: two 64 KiB buffers. Not
 * thread-safe.
 */
public final class PayloadOutputStream extends OutputStream {

    /** Plaintext bytes per chunk. */
    public static final int CHUNK_SIZE = 64 * 1024;

    private final OutputStream out;
    private final byte[] header;
    private final byte[] streamNonce;
    private final Cipher cipher = AgePrimitives.newChaCha();
    private final SecretKeySpec key;
    private final byte[] buf = new byte[CHUNK_SIZE];
    private final byte[] sealed = new byte[CHUNK_SIZE + AgePrimitives.TAG_SIZE];
    private final byte[] nonce = new byte[12];
    private int len;
    private long counter;
    private boolean started;
    private boolean closed;
    private boolean failed;

    /** @param header serialized header; {@code fileKey} is the key it wraps */
    public PayloadOutputStream(OutputStream out, byte[] header, byte[] fileKey, SecureRandom random) {
        this.out = out;
        this.header = header;
        this.streamNonce = new byte[16];
        random.nextBytes(streamNonce);
        this.key = new SecretKeySpec(AgePrimitives.hkdf(fileKey, streamNonce, "payload", 32), "ChaCha20");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
        java.util.Objects.checkFromIndexSize(off, n, b.length);
        if (closed) {
            throw new IOException("age stream is closed");
        }
        if (failed) {
            throw new IOException("an earlier write to this age stream failed");
        }
        start();
        while (n > 0) {
            // A full buffer is sealed as a non-last chunk only once more data arrives: a file whose
            // size is a multiple of 64 KiB ends with a full chunk flagged last, as age writes it.
            if (len == CHUNK_SIZE) {
                seal(false);
            }
            int k = Math.min(n, CHUNK_SIZE - len);
            System.arraycopy(b, off, buf, len, k);
            len += k;
            off += k;
            n -= k;
        }
    }

    /** Flushes the wrapped stream; a partial chunk stays buffered until it is full or closed. */
    @Override
    public void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (failed) {
            // Never finish a file whose earlier write failed: without a final chunk it cannot
            // be mistaken for a complete backup.
            out.close();
            return;
        }
        try {
            start();
            seal(true);
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        out.close();
    }

    private void start() throws IOException {
        if (!started) {
            started = true;
            failed = true;
            out.write(header);
            out.write(streamNonce);
            failed = false;
        }
    }

    private void seal(boolean last) throws IOException {
        setNonce(nonce, counter, last);
        int n;
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
            n = cipher.doFinal(buf, 0, len, sealed, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
        failed = true;
        out.write(sealed, 0, n);
        failed = false;
        counter++;
        len = 0;
    }

    /** The STREAM nonce: 11-byte big-endian chunk counter, then 0x01 for the last chunk. */
    static void setNonce(byte[] nonce, long counter, boolean last) {
        if (counter < 0) {
            throw new IllegalStateException("age chunk counter overflow");
        }
        nonce[0] = 0;
        nonce[1] = 0;
        nonce[2] = 0;
        for (int i = 0; i < 8; i++) {
            nonce[3 + i] = (byte) (counter >>> (56 - 8 * i));
        }
        nonce[11] = (byte) (last ? 1 : 0);
    }
}
