package com.eazepay.backup.internal.age;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

/**
 * Reads the payload of an age file (after the header): the 16-byte nonce, then 64 KiB chunks,
 * each authenticated before any of its bytes is returned. Fails with {@code DECRYPTION_FAILED}
 * naming the chunk and its byte offset when a chunk was altered, reordered or cut, when the
 * final chunk is missing, or when data follows it. Memory: two 64 KiB buffers. Not thread-safe.
 */
public final class PayloadInputStream extends InputStream {

    private static final int ENC_CHUNK = PayloadOutputStream.CHUNK_SIZE + AgePrimitives.TAG_SIZE;

    private final InputStream in;
    private final byte[] fileKey;
    private final long payloadOffset;
    private final Cipher cipher = AgePrimitives.newChaCha();
    // One byte of look-ahead tells a full non-last chunk from a full last chunk.
    private final byte[] enc = new byte[ENC_CHUNK + 1];
    private final byte[] plain = new byte[PayloadOutputStream.CHUNK_SIZE];
    private final byte[] nonce = new byte[12];
    private SecretKeySpec key;
    private int carried;
    private int pos;
    private int limit;
    private long counter;
    private boolean done;
    private boolean closed;
    private BackupException failure;

    /**
     * @param in positioned right after the header (at the payload nonce); closed by {@link #close()}
     * @param headerLength bytes before the nonce, for offsets in messages
     */
    public PayloadInputStream(InputStream in, byte[] fileKey, long headerLength) {
        this.in = in;
        this.fileKey = fileKey.clone();
        this.payloadOffset = headerLength + 16;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
        java.util.Objects.checkFromIndexSize(off, n, b.length);
        if (closed) {
            throw new IOException("age stream is closed");
        }
        if (n == 0) {
            return 0;
        }
        if (failure != null) {
            throw failure;
        }
        while (pos == limit) {
            if (done) {
                return -1;
            }
            try {
                nextChunk();
            } catch (BackupException e) {
                failure = e; // sticky: never resume after a chunk that failed
                throw e;
            }
        }
        int k = Math.min(n, limit - pos);
        System.arraycopy(plain, pos, b, off, k);
        pos += k;
        return k;
    }

    @Override
    public int available() {
        return limit - pos;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            in.close();
        }
    }

    private void nextChunk() throws IOException {
        if (key == null) {
            byte[] streamNonce = in.readNBytes(16);
            if (streamNonce.length < 16) {
                throw fail("the age payload is truncated: the stream ends " + (payloadOffset - 16 + streamNonce.length)
                        + " bytes in, inside the payload nonce (the file was cut after its header)");
            }
            key = new SecretKeySpec(AgePrimitives.hkdf(fileKey, streamNonce, "payload", 32), "ChaCha20");
        }
        int got = carried + readFully(enc, carried, ENC_CHUNK + 1 - carried);
        long offset = payloadOffset + counter * ENC_CHUNK;
        boolean last = got <= ENC_CHUNK;
        carried = 0;
        if (got == 0 && counter == 0) {
            throw fail("the age payload is truncated: the stream ends at byte offset " + offset
                    + ", right after the payload nonce, with no chunk");
        }
        if (got < AgePrimitives.TAG_SIZE) {
            throw fail("payload chunk " + counter + " at byte offset " + offset + " is truncated: only " + got
                    + " bytes, shorter than its authentication tag; the backup file is truncated");
        }
        int n = last ? got : ENC_CHUNK;
        int plainLen = open(n, last);
        if (plainLen < 0) {
            // Say why, if we can: a non-last chunk at the end means the final chunk was removed;
            // a last chunk followed by more data means trailing garbage.
            if (last && open(n, false) >= 0) {
                throw fail("the age payload is truncated: the stream ends after chunk " + counter
                        + " (byte offset " + (offset + n) + ") without the final chunk (no last-chunk flag)");
            }
            if (!last && open(n, true) >= 0) {
                throw fail("unexpected data after the final age payload chunk " + counter + " at byte offset "
                        + (offset + n) + ": the backup file has trailing bytes appended");
            }
            throw fail("payload chunk " + counter + " authentication failed at byte offset " + offset
                    + ": the backup file was altered, truncated or its chunks reordered");
        }
        if (last && plainLen == 0 && counter > 0) {
            throw fail("the final age payload chunk " + counter + " at byte offset " + offset
                    + " is empty, which the age format allows only for an empty file");
        }
        if (!last) {
            enc[0] = enc[ENC_CHUNK];
            carried = 1;
        }
        pos = 0;
        limit = plainLen;
        done = last;
        counter++;
    }

    private int open(int n, boolean last) {
        PayloadOutputStream.setNonce(nonce, counter, last);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
            return cipher.doFinal(enc, 0, n, plain, 0);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    private int readFully(byte[] b, int off, int n) throws IOException {
        int total = 0;
        while (total < n) {
            int r = in.read(b, off + total, n - total);
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    private static BackupException fail(String message) {
        return new BackupException(CoreErrorCode.DECRYPTION_FAILED, message);
    }
}
