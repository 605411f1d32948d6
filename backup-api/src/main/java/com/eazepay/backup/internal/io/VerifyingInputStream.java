package com.eazepay.backup.internal.io;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads a stored object and checks, when its end is reached, that its size and SHA-256 match the
 * manifest. A mismatch throws {@code BackupException(CHECKSUM_MISMATCH)} naming the object and the
 * offset, so nothing downstream can mistake a corrupt or truncated object for a good one. A failing read of
 * the storage is not a verdict on the object: it is {@code STORAGE_UNAVAILABLE} (retryable), and sticks.
 */
public final class VerifyingInputStream extends CheckedFilterInputStream {

    private final String object;
    private final long expectedSize;
    private final String expectedSha256;
    private final MessageDigest digest = HashingOutputStream.sha256();
    private long position;
    private boolean verified;
    private BackupException storageFailure;

    public VerifyingInputStream(InputStream in, String object, long expectedSize, String expectedSha256) {
        super(in);
        this.object = object;
        this.expectedSize = expectedSize;
        this.expectedSha256 = expectedSha256;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (storageFailure != null) {
            // The storage's stream broke: what it would return now proves nothing about the object.
            throw storageFailure;
        }
        int n;
        try {
            n = in.read(b, off, len);
        } catch (BackupException e) {
            storageFailure = e;
            throw e;
        } catch (IOException | RuntimeException e) {
            storageFailure = new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading " + object + " failed at offset "
                    + position + ": " + e.getMessage() + "; the object was not checked: try again, or restore from a replica",
                    e, true);
            throw storageFailure;
        }
        if (n < 0) {
            verifyAtEnd();
            return -1;
        }
        digest.update(b, off, n);
        position += n;
        if (position > expectedSize) {
            throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, "checksum failed for " + object
                    + ": object is longer than the " + expectedSize + " bytes the manifest records (offset " + position
                    + "); it was modified after the backup");
        }
        return n;
    }

    /** Reads the rest of the object and verifies it; used when a decoder fails mid-stream. */
    public void drainAndVerify() throws IOException {
        byte[] buf = new byte[64 * 1024];
        while (read(buf, 0, buf.length) >= 0) {
            // hashing happens in read
        }
    }

    /** Whether the end was reached and the checksum matched. */
    public boolean verified() {
        return verified;
    }

    /**
     * The failure of the storage's stream, if reading it failed: then nothing was verified, and every later
     * read throws it again (never a truncation verdict on a stream that broke).
     */
    public BackupException storageFailure() {
        return storageFailure;
    }

    /** Bytes read so far. */
    public long position() {
        return position;
    }

    private void verifyAtEnd() {
        if (verified) {
            return;
        }
        if (position != expectedSize) {
            throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, "checksum failed for " + object
                    + ": object ends at offset " + position + " but the manifest records " + expectedSize
                    + " bytes; it is truncated: restore from another backup or a replica");
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(expectedSha256)) {
            throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, "checksum failed for " + object
                    + ": SHA-256 of its " + position + " bytes is " + actual + " but the manifest records "
                    + expectedSha256 + "; the object is corrupt: restore from another backup or a replica");
        }
        verified = true;
    }
}
