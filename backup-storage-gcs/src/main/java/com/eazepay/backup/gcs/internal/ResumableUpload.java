package com.eazepay.backup.gcs.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * One streaming upload of {@code GcsStorage} through a resumable session, in chunks of a fixed size (memory:
 * one chunk, a 256 KiB look-ahead and a 64 KiB copy buffer, whatever the object size; objects under 256 KiB
 * use a 256 KiB chunk). The object becomes visible only when the session is finalized after the last input
 * byte. If reading the input or uploading fails, or the input's length differs from the declared one, the
 * session is abandoned without being finalized, so nothing becomes visible (the write channel is deliberately
 * not closed: closing it would commit what it buffered as a truncated object). Chunks are retried inside the
 * session by the client library, which knows the offset to resume from.
 *
 * <p>Single use, not thread-safe. Never closes the input.
 */
public final class ResumableUpload {

    private static final Logger LOG = LoggerFactory.getLogger(ResumableUpload.class);

    /** The upload chunk size granularity required by GCS resumable uploads: 256 KiB. */
    public static final int CHUNK_GRANULARITY = 256 * 1024;
    private static final int COPY_BUFFER = 64 * 1024;

    /** Turns a client failure into the storage's {@link BackupException}. */
    @FunctionalInterface
    public interface Errors {
        /**
         * @param sessionCall {@code true} for starting or finalizing the session (where a hold or retention
         *                    on the existing object refuses an overwrite), {@code false} for a chunk
         */
        BackupException translate(Throwable e, boolean sessionCall);
    }

    private final Storage client;
    private final BlobInfo info;
    private final List<Storage.BlobWriteOption> options;
    private final int chunkSize;
    private final String op;
    private final String resource;
    private final boolean ifAbsent;
    private final Errors errors;

    /**
     * @param client    the client whose retry settings retry chunks inside the session
     * @param options   write options; {@link Storage.BlobWriteOption#doesNotExist()} when {@code ifAbsent}
     * @param ifAbsent  whether a 412 (the object exists) means "not created" instead of a failure
     */
    public ResumableUpload(Storage client, BlobInfo info, List<Storage.BlobWriteOption> options, int chunkSize,
                           String op, String resource, boolean ifAbsent, Errors errors) {
        this.client = Objects.requireNonNull(client, "client");
        this.info = Objects.requireNonNull(info, "info");
        this.options = List.copyOf(options);
        this.chunkSize = chunkSize;
        this.op = op;
        this.resource = resource;
        this.ifAbsent = ifAbsent;
        this.errors = Objects.requireNonNull(errors, "errors");
    }

    /**
     * Uploads all of {@code data}.
     *
     * @param declaredLength the length the caller declared, or {@code -1}
     * @return {@code false} only when {@code ifAbsent} and the object exists (or was created concurrently)
     * @throws BackupException {@code STORAGE_FAILED} when the input fails or its length differs from the declared
     *                         one (nothing stored); as {@link Errors} says for client failures
     */
    public boolean run(InputStream data, long declaredLength) {
        // read the first 256 KiB before starting a session: small objects (manifests, leases) then
        // get a 256 KiB chunk buffer instead of chunkSize, and an input failing at once opens nothing
        byte[] head;
        try {
            head = data.readNBytes(CHUNK_GRANULARITY);
        } catch (IOException e) {
            throw inputFailed(-1, e);
        }
        boolean small = head.length < CHUNK_GRANULARITY;
        WriteChannel writer;
        try {
            // starts the resumable session (retried inside the client)
            writer = client.writer(info, options.toArray(new Storage.BlobWriteOption[0]));
        } catch (RuntimeException e) {
            if (ifAbsent && GcsErrors.status(e) == 412) {
                LOG.debug("{} {}: object already exists", op, resource);
                return false;
            }
            throw errors.translate(e, true);
        }
        writer.setChunkSize(small ? CHUNK_GRANULARITY : chunkSize);
        long total = write(ByteBuffer.wrap(head), 0, writer);
        if (!small) {
            total = copy(data, total, writer);
        }
        if (declaredLength >= 0 && total != declaredLength) {
            // never finalize: the declared length says the input was cut short (or is too long)
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, op + " " + resource + " aborted: the input had "
                    + total + " bytes but " + declaredLength + " were declared; nothing was stored");
        }
        try {
            // finalizes the session: the object becomes visible now, atomically
            writer.close();
        } catch (IOException | RuntimeException e) {
            if (ifAbsent && GcsErrors.status(e) == 412) {
                LOG.debug("{} {}: object created concurrently", op, resource);
                return false;
            }
            throw errors.translate(e, true);
        }
        LOG.debug("{} {}: {} bytes", op, resource, total);
        return true;
    }

    /**
     * Copies {@code data} into the session. On any failure the writer is deliberately NOT closed:
     * closing a resumable write channel flushes what it buffered as the final chunk and finalizes
     * the session, which would commit a truncated object.
     */
    private long copy(InputStream data, long written, WriteChannel writer) {
        byte[] buf = new byte[COPY_BUFFER];
        long total = written;
        while (true) {
            int n;
            try {
                n = data.read(buf);
            } catch (IOException e) {
                throw inputFailed(total, e);
            } catch (RuntimeException | Error e) {
                LOG.debug("{} {} aborted after {} bytes: input failed; upload not finalized", op, resource, total);
                throw e;
            }
            if (n < 0) {
                return total;
            }
            total = write(ByteBuffer.wrap(buf, 0, n), total, writer);
        }
    }

    private BackupException inputFailed(long total, IOException e) {
        return new BackupException(CoreErrorCode.STORAGE_FAILED, op + " " + resource
                + " aborted: reading the input failed " + (total < 0 ? "within its first " + CHUNK_GRANULARITY
                        : "after " + total) + " bytes; the upload was not finalized, nothing was stored", e, false);
    }

    /** Writes all of {@code bb}; on failure the writer is not closed (see {@link #copy}). */
    private long write(ByteBuffer bb, long total, WriteChannel writer) {
        int n = bb.remaining();
        try {
            while (bb.hasRemaining()) {
                writer.write(bb);
            }
        } catch (IOException | RuntimeException e) {
            BackupException be = errors.translate(e, false);
            throw new BackupException(be.errorCode(), be.getMessage() + "; upload aborted after " + total
                    + " bytes, nothing was stored", be.getCause(), be.isRetryable());
        }
        return total + n;
    }
}
