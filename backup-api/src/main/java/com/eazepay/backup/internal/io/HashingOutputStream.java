package com.eazepay.backup.internal.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Passes bytes through unchanged and records the SHA-256 and count of exactly those bytes. */
public final class HashingOutputStream extends FilterOutputStream {

    private final MessageDigest digest;
    private long count;

    public HashingOutputStream(OutputStream out) {
        super(out);
        this.digest = sha256();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        count += len;
    }

    /** Bytes passed through so far. */
    public long count() {
        return count;
    }

    /** Lowercase hex SHA-256 of the bytes passed through; call once, after the last write. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
