package com.eazepay.backup.redis.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A serialized RDB value (type byte + value bytes) captured by {@link RdbReader}, held in pieces
 * (4 KiB growing to 128 KiB) so a large value is never copied into a doubling array nor into one
 * contiguous copy: memory is about one times the value. Valid only during the visitor call that
 * receives it; the reader reuses its first piece and drops the others for the next key. Not
 * thread-safe.
 */
public final class CapturedValue {

    private static final int FIRST = 4 << 10;
    // well under half a G1 region even at the smallest heaps: a piece is never a humongous object
    private static final int MAX_PIECE = 128 << 10;

    private final List<byte[]> pieces = new ArrayList<>();
    private int lastFill;
    private long length;

    CapturedValue() {
        pieces.add(new byte[FIRST]);
    }

    void reset() {
        while (pieces.size() > 1) {
            pieces.remove(pieces.size() - 1); // free the big pieces of the previous value
        }
        lastFill = 0;
        length = 0;
    }

    void write(int b) {
        byte[] last = room();
        last[lastFill++] = (byte) b;
        length++;
    }

    void write(byte[] b, int off, int len) {
        while (len > 0) {
            byte[] last = room();
            int k = Math.min(len, last.length - lastFill);
            System.arraycopy(b, off, last, lastFill, k);
            lastFill += k;
            off += k;
            len -= k;
            length += k;
        }
    }

    private byte[] room() {
        byte[] last = pieces.get(pieces.size() - 1);
        if (lastFill < last.length) {
            return last;
        }
        byte[] next = new byte[Math.min(MAX_PIECE, last.length * 2)];
        pieces.add(next);
        lastFill = 0;
        return next;
    }

    /** Number of bytes. */
    public long length() {
        return length;
    }

    /** Writes the bytes, piece by piece. */
    public void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < pieces.size(); i++) {
            out.write(pieces.get(i), 0, i == pieces.size() - 1 ? lastFill : pieces.get(i).length);
        }
    }

    /** CRC-64 (Redis' Jones polynomial) of the bytes, continuing from {@code crc}. */
    public long crc(long crc) {
        for (int i = 0; i < pieces.size(); i++) {
            crc = Crc64Jones.update(crc, pieces.get(i), 0, i == pieces.size() - 1 ? lastFill : pieces.get(i).length);
        }
        return crc;
    }

    /** The bytes as one new array (for small values and tests). */
    public byte[] toArray() {
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("value of " + length + " bytes does not fit in an array");
        }
        byte[] all = new byte[(int) length];
        int at = 0;
        for (int i = 0; i < pieces.size(); i++) {
            int n = i == pieces.size() - 1 ? lastFill : pieces.get(i).length;
            System.arraycopy(pieces.get(i), 0, all, at, n);
            at += n;
        }
        return all;
    }
}
