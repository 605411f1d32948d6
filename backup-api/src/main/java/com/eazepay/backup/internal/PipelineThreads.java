package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The named daemon threads that run the stages of the streams being written (encryption, storage
 * upload: up to two threads per stream) and the decoding of streams being restored
 * ({@link DecodedStreams#openDecodingAhead}: one thread per stream), with back-pressure instead of rejection: at most
 * {@code maxStreams} streams run at once, and a thread opening one more {@linkplain #admit() waits}
 * until a running stream ends. Threads are therefore bounded by twice that number.
 *
 * <p>One exception keeps the wait from deadlocking: a thread that already has a stream running is
 * admitted at once, even over the limit, because it may be the very thread that must write to that
 * stream before it can end (a source writing several streams in turn from one thread). Thread-safe.
 */
public final class PipelineThreads {

    /** Streams running at once in one engine before further streams wait: 32 (64 threads). */
    public static final int DEFAULT_MAX_STREAMS = 32;

    private final ExecutorService pool;
    private final Semaphore permits;
    private final Map<Thread, Integer> running = new ConcurrentHashMap<>();

    private PipelineThreads(int maxStreams, String threadNamePrefix) {
        this.permits = new Semaphore(maxStreams, true);
        AtomicInteger n = new AtomicInteger();
        // no maximum here: admission bounds the threads (two per admitted stream), so the pool never rejects
        this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, threadNamePrefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Threads named {@code threadNamePrefix + n}, for at most {@code maxStreams} streams at once. */
    public static PipelineThreads create(int maxStreams, String threadNamePrefix) {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1, was " + maxStreams);
        }
        return new PipelineThreads(maxStreams, threadNamePrefix);
    }

    /**
     * Admits one stream, waiting while {@code maxStreams} streams run (unless the calling thread runs
     * one of them, see the class comment). The caller must {@link Admission#release()} it when the
     * stream's stages have ended.
     *
     * @throws BackupException {@code INTERRUPTED} if interrupted while waiting
     */
    public Admission admit() {
        Thread me = Thread.currentThread();
        boolean permit = permits.tryAcquire();
        if (!permit && !running.containsKey(me)) {
            try {
                permits.acquire();
                permit = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while waiting for one of the "
                        + "streams already being written to end", e);
            }
        }
        running.merge(me, 1, Integer::sum);
        return new Admission(me, permit);
    }

    /** Lets running stages finish and stops the threads when idle. */
    public void shutdown() {
        pool.shutdown();
    }

    /** One admitted stream: runs its stages on the pool. */
    public final class Admission {
        private final Thread owner;
        private final boolean permit;
        private final AtomicBoolean released = new AtomicBoolean();

        private Admission(Thread owner, boolean permit) {
            this.owner = owner;
            this.permit = permit;
        }

        /**
         * Runs one stage of the stream on a pool thread.
         *
         * @throws java.util.concurrent.RejectedExecutionException only once the engine is closed
         */
        public CompletableFuture<Void> run(Runnable stage) {
            return CompletableFuture.runAsync(stage, pool);
        }

        /** The stream's stages have ended: admits a waiting stream. Idempotent. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                running.computeIfPresent(owner, (t, n) -> n == 1 ? null : n - 1);
                if (permit) {
                    permits.release();
                }
            }
        }
    }
}
