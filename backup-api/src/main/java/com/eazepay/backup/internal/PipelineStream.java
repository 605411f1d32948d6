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
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One stream of a backup being written: plaintext count → compression → encryption → SHA-256 and
 * size of the stored bytes → storage upload. Stages run on up to three threads joined by bounded
 * pipes, so the cores work in parallel and memory stays bounded ({@value #CHUNK} × {@value #CHUNKS}
 * bytes per pipe plus the codecs' fixed buffers):
 * <ul>
 *   <li>the source's thread: compression (written into by the source);</li>
 *   <li>an encoding thread, when encrypting: encryption and hashing;</li>
 *   <li>an upload thread: the storage's {@code put}.</li>
 * </ul>
 *
 * <p>{@link #close()} finishes the codecs, waits until storage has the whole object, and reports the
 * stream to {@code onCommit}; any failure throws {@link BackupException} and leaves no visible
 * object. {@link #abort} cancels the upload. A failing stage never finishes the stages after it:
 * the encryption is never closed (no final chunk) and the upload's input fails.
 */
public final class PipelineStream extends OutputStream {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PipelineStream.class);
    /** How long {@link #abort} waits for the stages to end (and the upload to remove its temporary object). */
    static final java.time.Duration ABORT_WAIT = java.time.Duration.ofSeconds(60);

    static final int CHUNK = 64 * 1024;
    static final int CHUNKS = 16;

    private final String name;
    private final String objectName;
    private final String format;
    private final String key;
    private final BoundedPipe storedPipe = new BoundedPipe(CHUNK, CHUNKS);
    private final BoundedPipe compressedPipe; // null when not encrypting: nothing to overlap
    private CompletableFuture<Void> encoding; // null when not encrypting
    private CompletableFuture<Void> upload;
    private final HashingOutputStream stored;
    private final CountingOutputStream plain;
    private final Consumer<Manifest.StreamInfo> onCommit;
    private final PipelineThreads.Admission admission;
    private volatile boolean finished;
    /** The first stage failure that was not caused by our own abort: the root cause to report. */
    private final java.util.concurrent.atomic.AtomicReference<Throwable> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean aborting;

    /**
     * Opens the stream: waits while the engine already writes its maximum of streams (see
     * {@link PipelineThreads}), creates the codecs, and only then starts the stages' threads, so a
     * codec that cannot be created (a decrypt-only encryption) leaves no thread and no upload behind.
     *
     * @throws BackupException the codec's error; {@code INTERRUPTED} if interrupted while waiting
     */
    public PipelineStream(String name, String objectName, String format, String key, StorageTarget storage,
                          Compression compression, Encryption encryption, PipelineThreads threads, PutOptions putOptions,
                          Consumer<Manifest.StreamInfo> onCommit) {
        this.name = name;
        this.objectName = objectName;
        this.format = format;
        this.key = key;
        this.onCommit = onCommit;
        this.admission = threads.admit();
        boolean encrypting = !"none".equals(encryption.id());
        this.compressedPipe = encrypting ? new BoundedPipe(CHUNK, CHUNKS) : null;
        this.stored = new HashingOutputStream(storedPipe.sink());
        try {
            // codecs first: their headers fit in the pipes' buffers, so nothing needs a reader yet
            OutputStream encrypted = encryption.encrypt(stored);
            this.plain = new CountingOutputStream(compression.compress(encrypting ? compressedPipe.sink() : encrypted));
            if (encrypting) {
                this.encoding = admission.run(() -> encode(encrypted));
            }
            this.upload = admission.run(() -> {
                try {
                    storage.put(key, storedPipe.source(), putOptions);
                } catch (Throwable t) {
                    recordFailure(t);
                    storedPipe.failReader(t);
                    throw t;
                }
            });
        } catch (RuntimeException | Error e) {
            // a stage that started must not wait forever for data that will never come
            abortStages(e);
            awaitEnd();
            admission.release();
            throw e;
        }
    }

    private void encode(OutputStream encrypted) {
        try (InputStream in = compressedPipe.source()) {
            in.transferTo(encrypted);
            encrypted.close(); // only after the whole input arrived: writes the final chunk and ends the upload's input
        } catch (Throwable t) {
            recordFailure(t);
            compressedPipe.failReader(t);
            storedPipe.abort(t);
            throw t instanceof IOException io ? new CompletionException(io) : sneaky(t);
        }
    }

    private void recordFailure(Throwable t) {
        if (!aborting) {
            firstFailure.compareAndSet(null, t);
        }
    }

    private static RuntimeException sneaky(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new CompletionException(t);
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

    /**
     * The failure of a later stage on its own (encryption or storage), not one caused by our abort:
     * the root cause to report when the source's writes start failing.
     */
    public BackupException uploadFailure() {
        Throwable t = firstFailure.get();
        return t == null ? null : asBackupException(t, "storing " + key);
    }

    private static BackupException asBackupException(Throwable cause, String what) {
        Throwable c = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        return c instanceof BackupException be ? be
                : new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, what + " failed: " + c, c);
    }

    @Override
    public void close() {
        if (finished) {
            return;
        }
        try {
            plain.close(); // finishes compression (and, through the stages, encryption), then ends the upload's input
        } catch (IOException | RuntimeException e) {
            abort(e);
            BackupException laterStage = uploadFailure();
            if (laterStage != null) {
                laterStage.addSuppressed(e);
                throw laterStage;
            }
            throw e instanceof BackupException be ? be
                    : new BackupException(CoreErrorCode.INTERNAL, "finishing stream " + name + " failed: " + e, e);
        }
        try {
            await(encoding, "encrypting " + key);
            await(upload, "storing " + key);
        } catch (BackupException e) {
            abort(e);
            throw e;
        }
        finished = true;
        admission.release();
        onCommit.accept(new Manifest.StreamInfo(name, objectName, format, stored.count(), stored.sha256Hex(), plain.count()));
    }

    private void await(CompletableFuture<Void> stage, String what) {
        if (stage == null) {
            return;
        }
        try {
            stage.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortStages(e);
            throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while " + what, e);
        } catch (ExecutionException e) {
            abortStages(e.getCause());
            BackupException failure = uploadFailure();
            throw failure != null ? failure : asBackupException(e.getCause(), what);
        }
    }

    private void abortStages(Throwable cause) {
        aborting = true;
        if (compressedPipe != null) {
            compressedPipe.abort(cause);
        }
        storedPipe.abort(cause);
    }

    /** Cancels this stream: the upload fails and leaves nothing visible. Waits for the stages to end. */
    public void abort(Throwable cause) {
        if (finished) {
            return;
        }
        abortStages(cause);
        awaitEnd();
        finished = true;
        admission.release();
    }

    /** Waits until the stages that were started have ended, however they ended. */
    private void awaitEnd() {
        // Wait even if this thread is (or gets) interrupted: the upload deletes its temporary object
        // when it sees the abort, and a JVM exiting right after an interrupted backup must not cut
        // that cleanup short. The wait is bounded; the interrupt flag is restored afterwards.
        boolean interrupted = false;
        long deadline = System.nanoTime() + ABORT_WAIT.toNanos();
        for (CompletableFuture<Void> stage : java.util.Arrays.asList(encoding, upload)) {
            while (stage != null) {
                try {
                    stage.handle((v, t) -> null).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    LOG.warn("stream {} did not end within {} of its abort: not waiting longer", key, ABORT_WAIT);
                    break;
                } catch (ExecutionException impossible) {
                    break; // handle() never completes exceptionally
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
