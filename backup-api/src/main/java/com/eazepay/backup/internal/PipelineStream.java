package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.io.BoundedPipe;
import com.eazepay.backup.internal.io.CountingOutputStream;
import com.eazepay.backup.internal.io.HashingOutputStream;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One stream of a backup being written: plaintext count → compression → encryption → SHA-256 and
 * size of the stored bytes → bounded pipe → storage upload on another thread. Memory is bounded by
 * the pipe ({@value #CHUNK} × {@value #CHUNKS} bytes) plus the codecs' fixed buffers.
 *
 * <p>{@link #close()} finishes the codecs, waits until storage has the whole object, and reports the
 * stream to {@code onCommit}; any failure throws {@link BackupException} and leaves no visible
 * object. {@link #abort} cancels the upload.
 */
public final class PipelineStream extends OutputStream {

    static final int CHUNK = 64 * 1024;
    static final int CHUNKS = 16;

    private final String name;
    private final String objectName;
    private final String format;
    private final String key;
    private final BoundedPipe pipe = new BoundedPipe(CHUNK, CHUNKS);
    private final CompletableFuture<Void> upload;
    private final HashingOutputStream stored;
    private final CountingOutputStream plain;
    private final Consumer<Manifest.StreamInfo> onCommit;
    private volatile boolean finished;

    public PipelineStream(String name, String objectName, String format, String key, StorageTarget storage,
                          Compression compression, Encryption encryption, Executor executor, PutOptions putOptions,
                          Consumer<Manifest.StreamInfo> onCommit) {
        this.name = name;
        this.objectName = objectName;
        this.format = format;
        this.key = key;
        this.onCommit = onCommit;
        this.upload = CompletableFuture.runAsync(() -> {
            try {
                storage.put(key, pipe.source(), putOptions);
            } catch (Throwable t) {
                pipe.failReader(t);
                throw t;
            }
        }, executor);
        this.stored = new HashingOutputStream(pipe.sink());
        OutputStream encrypted = encryption.encrypt(stored);
        this.plain = new CountingOutputStream(compression.compress(encrypted));
    }

    /** The stream's name. */
    public String name() {
        return name;
    }

    /** The storage key being written. */
    public String key() {
        return key;
    }

    /** Whether close() or abort() has completed. */
    public boolean finished() {
        return finished;
    }

    @Override
    public void write(int b) throws IOException {
        plain.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        plain.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        plain.flush();
    }

    /** The upload's own failure, if it failed (not one caused by our abort). */
    public BackupException uploadFailure() {
        if (!upload.isCompletedExceptionally()) {
            return null;
        }
        try {
            upload.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof BackupException be ? be
                    : new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "upload of " + key + " failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (finished) {
            return;
        }
        try {
            plain.close(); // finishes compression and encryption, then signals end of data to the upload
        } catch (IOException | RuntimeException e) {
            abort(e);
            BackupException storageFailure = uploadFailure();
            if (storageFailure != null) {
                storageFailure.addSuppressed(e);
                throw storageFailure;
            }
            throw e instanceof BackupException be ? be
                    : new BackupException(CoreErrorCode.INTERNAL, "finishing stream " + name + " failed: " + e, e);
        }
        awaitUpload();
        finished = true;
        onCommit.accept(new Manifest.StreamInfo(name, objectName, format, stored.count(), stored.sha256Hex(), plain.count()));
    }

    private void awaitUpload() {
        try {
            upload.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pipe.abort(e);
            throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while storing " + key, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof BackupException be ? be
                    : new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "storing " + key + " failed: " + cause, cause);
        }
    }

    /** Cancels this stream: the upload fails and leaves nothing visible. Waits for the upload to end. */
    public void abort(Throwable cause) {
        if (finished) {
            return;
        }
        pipe.abort(cause);
        try {
            upload.handle((v, t) -> null).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException impossible) {
            // handle() never completes exceptionally
        }
        finished = true;
    }
}
