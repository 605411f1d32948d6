package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.io.BoundedPipe;
import com.eazepay.backup.internal.io.CheckedFilterInputStream;
import com.eazepay.backup.internal.io.CountingInputStream;
import com.eazepay.backup.internal.io.VerifyingInputStream;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.StorageTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens a stored stream for reading: storage → SHA-256/size verification → decryption →
 * decompression. When decoding fails, the rest of the stored object is read so that a corrupt or
 * truncated object is reported as {@code CHECKSUM_MISMATCH} (naming the object) rather than as an
 * obscure decoder error; at the end, the plaintext size is checked against the manifest.
 *
 * <p>{@link #open} decodes on the reading thread; {@link #openDecodingAhead} decodes on a thread of
 * its own, handing the plaintext over through a {@link BoundedPipe}, so a restore that parses and
 * loads what it reads overlaps that work with the hashing, decryption and decompression.
 */
public final class DecodedStreams {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DecodedStreams.class);
    /** Hand-off between the decoding thread and the reader: 16 × 64 KiB, as {@link PipelineStream}'s pipes. */
    static final int AHEAD_CHUNK = 64 * 1024;
    static final int AHEAD_CHUNKS = 16;
    /** How long {@code close()} waits for the decoding thread to close the stored object after an early close. */
    static final long CLOSE_WAIT_SECONDS = 60;

    private DecodedStreams() {
    }

    /**
     * As {@link #open}, but the stored bytes are read, verified (SHA-256, size), decrypted and
     * decompressed on a thread of {@code threads} while the caller reads the plaintext, at most
     * {@value #AHEAD_CHUNKS} × {@value #AHEAD_CHUNK} bytes ahead of it. Errors are the same as
     * {@link #open}'s and reach the caller on its next read, thrown as the decoder threw them: a
     * {@code CHECKSUM_MISMATCH} still ends the stream with that exception, never with end-of-data (the
     * end is handed over only after the whole object was verified). Closing early stops the decoding
     * thread and waits for it to close the stored object.
     */
    public static InputStream openDecodingAhead(StorageTarget storage, Manifest manifest, Manifest.StreamInfo stream,
                                                Compression compression, Encryption encryption, PipelineThreads threads) {
        InputStream decoded = open(storage, manifest, stream, compression, encryption);
        try {
            return new DecodedAhead(decoded, threads);
        } catch (RuntimeException | Error e) {
            closeQuietly(decoded, e);
            throw e;
        }
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

    private static void closeQuietly(InputStream in, Throwable primary) {
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

    /**
     * The plaintext of a {@link Decoded} stream, decoded on a pool thread into a {@link BoundedPipe}
     * and read from the pipe by the caller. The decoding thread owns the decoded stream (and the
     * stored object under it) and closes it; the end of data is handed over only after the decoded
     * stream reached its verified end and closed without error.
     */
    private static final class DecodedAhead extends InputStream {
        private final BoundedPipe pipe = new BoundedPipe(AHEAD_CHUNK, AHEAD_CHUNKS);
        private final InputStream plaintext = pipe.source();
        /** What ended the decoding thread abnormally (set before the pipe is aborted, so the reader sees it). */
        private volatile Throwable failure;
        private final PipelineThreads.Admission admission;
        private final CompletableFuture<Void> decoding;
        private volatile boolean closed;

        DecodedAhead(InputStream decoded, PipelineThreads threads) {
            this.admission = threads.admit();
            try {
                this.decoding = admission.run(() -> decode(decoded));
            } catch (RuntimeException | Error e) {
                admission.release();
                throw e;
            }
        }

        private void decode(InputStream decoded) {
            try {
                OutputStream sink = pipe.sink();
                byte[] buf = new byte[AHEAD_CHUNK];
                int n;
                while ((n = decoded.read(buf, 0, buf.length)) >= 0) {
                    sink.write(buf, 0, n);
                }
                decoded.close();
                sink.close(); // end of data: only now, after the verified end and a clean close
            } catch (Throwable t) {
                closeQuietly(decoded, t); // before the reader can see t: it is not changed once handed over
                failure = t;
                pipe.abort(t);
            } finally {
                admission.release();
            }
        }

        @Override
        public int read() throws IOException {
            try {
                return plaintext.read();
            } catch (IOException e) {
                throw decodingFailure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return plaintext.read(b, off, len);
            } catch (IOException e) {
                throw decodingFailure(e);
            }
        }

        @Override
        public int available() throws IOException {
            return plaintext.available();
        }

        /** The decoder's own exception (a {@code CHECKSUM_MISMATCH}, say) rather than the pipe's "incomplete". */
        private IOException decodingFailure(IOException pipeError) {
            Throwable f = failure;
            if (f == null) {
                return pipeError; // interrupted while waiting for data
            }
            if (f instanceof RuntimeException r) {
                throw r;
            }
            if (f instanceof Error e) {
                throw e;
            }
            return f instanceof IOException io ? io : new IOException(f.getMessage(), f);
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            plaintext.close(); // before the end: the decoding thread's next write fails and it closes the object
            try {
                decoding.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // decode() catches everything; nothing to report that a read has not reported
                LOG.debug("decoding thread ended with {}", e.getCause().toString());
            } catch (TimeoutException e) {
                LOG.warn("the thread decoding a restored stream did not end within {} s of its close; it ends when"
                        + " its storage read returns", CLOSE_WAIT_SECONDS);
            }
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
