package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.io.CheckedFilterInputStream;
import com.eazepay.backup.internal.io.CountingInputStream;
import com.eazepay.backup.internal.io.VerifyingInputStream;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.StorageTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Opens a stored stream for reading: storage → SHA-256/size verification → decryption →
 * decompression. When decoding fails, the rest of the stored object is read so that a corrupt or
 * truncated object is reported as {@code CHECKSUM_MISMATCH} (naming the object) rather than as an
 * obscure decoder error; at the end, the plaintext size is checked against the manifest.
 */
public final class DecodedStreams {

    private DecodedStreams() {
    }

    public static InputStream open(StorageTarget storage, Manifest manifest, Manifest.StreamInfo stream,
                                   Compression compression, Encryption encryption) {
        String key = RepositoryLayout.streamKey(manifest.source(), manifest.id(), stream.object());
        VerifyingInputStream verifying = new VerifyingInputStream(storage.get(key), key, stream.storedSize(), stream.sha256());
        InputStream decoded;
        try {
            decoded = compression.decompress(encryption.decrypt(verifying,
                    manifest.encryption() == null ? Map.of() : manifest.encryption().parameters()));
        } catch (RuntimeException e) {
            throw preferChecksum(verifying, e, key);
        }
        return new Decoded(decoded, verifying, key, stream.plaintextSize());
    }

    private static RuntimeException preferChecksum(VerifyingInputStream verifying, Exception decodeError, String key) {
        if (verifying.storageFailure() != null) {
            // Reading the storage failed: the decoder saw a broken stream, not a corrupt object.
            BackupException storage = verifying.storageFailure();
            if (decodeError != storage && !causedBy(decodeError, storage)) {
                storage.addSuppressed(decodeError);
            }
            closeQuietly(verifying, storage);
            return storage;
        }
        long failedAt = verifying.position(); // the decoder had read up to here when it failed
        try {
            verifying.drainAndVerify();
        } catch (BackupException checksum) {
            BackupException located = checksum.errorCode() == CoreErrorCode.CHECKSUM_MISMATCH
                    ? new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, checksum.getMessage() + " (decoding failed in the "
                    + "bytes before stored offset " + failedAt + ": the corruption is at or before that offset)", checksum)
                    : checksum;
            located.addSuppressed(decodeError);
            closeQuietly(verifying, located);
            return located;
        } catch (IOException io) {
            decodeError.addSuppressed(io);
        }
        closeQuietly(verifying, decodeError);
        if (decodeError instanceof BackupException be) {
            return be;
        }
        return new BackupException(CoreErrorCode.CORRUPT_DATA, "cannot decode " + key + " although its checksum matches: "
                + decodeError.getMessage() + " (was it written by a different codec or library version?)", decodeError);
    }

    private static boolean causedBy(Throwable t, Throwable cause) {
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c == cause) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(InputStream in, Exception primary) {
        try {
            in.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    private static final class Decoded extends CheckedFilterInputStream {
        private final VerifyingInputStream verifying;
        private final String key;
        private final long expectedPlaintext;
        private long plaintext;
        private boolean done;

        Decoded(InputStream decoded, VerifyingInputStream verifying, String key, long expectedPlaintext) {
            super(decoded);
            this.verifying = verifying;
            this.key = key;
            this.expectedPlaintext = expectedPlaintext;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException | UncheckedIOException e) {
                throw preferChecksum(verifying, e, key);
            } catch (BackupException e) {
                if (e.errorCode() == CoreErrorCode.CHECKSUM_MISMATCH) {
                    throw e;
                }
                throw preferChecksum(verifying, e, key);
            }
            if (n < 0) {
                atEnd();
                return -1;
            }
            plaintext += n;
            return n;
        }

        private void atEnd() throws IOException {
            if (done) {
                return;
            }
            // The decoder may stop before the object's last bytes (trailing padding): they must still match.
            verifying.drainAndVerify();
            if (expectedPlaintext >= 0 && plaintext != expectedPlaintext) { // -1: size not known (rekey reads compressed bytes)
                throw new BackupException(CoreErrorCode.CORRUPT_DATA, key + " decoded to " + plaintext
                        + " bytes but the manifest records " + expectedPlaintext);
            }
            done = true;
        }

    }

    /** Reads a decoded stream to its end, returning the number of bytes. */
    public static long drain(InputStream in) throws IOException {
        CountingInputStream counting = new CountingInputStream(in);
        byte[] buf = new byte[64 * 1024];
        while (counting.read(buf) >= 0) {
            // counting
        }
        return counting.count();
    }
}
