package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.bson.RawBsonDocument;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Inserts a restore's batches on up to {@code workers} threads, as mongorestore's
 * {@code --numInsertionWorkersPerCollection}: the thread reading the archive hands each batch over
 * and goes on reading, while earlier batches are being inserted. Each batch is still one ordered
 * {@code insertMany}; batches of one collection may be inserted in any order (as with mongorestore).
 * With one worker, batches are inserted on the calling thread, in order, as before.
 *
 * <p>Memory is bounded: at most {@code 2 × workers} batches are handed over and not yet inserted
 * (one being inserted and one waiting per worker); {@link #submit} waits for room. The first failed
 * insert cancels the rest: batches not yet started are dropped, the ones being inserted finish, and the
 * failure is thrown by the next {@link #submit} or {@link #awaitIdle}. {@link #close} waits until no
 * insert runs. Not thread-safe: one thread submits.
 */
final class InsertWorkers implements AutoCloseable {

    /** Inserts one batch of one namespace; throws a {@link BackupException} naming the collection. */
    @FunctionalInterface
    interface Insert {
        void insert(String namespace, List<RawBsonDocument> batch);
    }

    private static final long CLOSE_WAIT_SECONDS = 600;

    private final int workers;
    private final Insert insert;
    private final ExecutorService pool; // null with one worker
    private final Semaphore room;
    private final int capacity;
    private volatile RuntimeException failure;
    /** The pool's threads: {@link #close} waits for them to exit, not only for the pool to report itself terminated. */
    private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    InsertWorkers(int workers, Insert insert) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        this.workers = workers;
        this.insert = insert;
        this.capacity = 2 * workers;
        this.room = new Semaphore(capacity);
        if (workers == 1) {
            this.pool = null;
        } else {
            AtomicInteger n = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "mongo-restore-insert-" + n.incrementAndGet());
                t.setDaemon(true);
                threads.add(t);
                return t;
            });
        }
    }

    int workers() {
        return workers;
    }

    /** Hands {@code batch} (owned by the workers from now on) over, waiting while {@code 2 × workers} are pending. */
    void submit(String namespace, List<RawBsonDocument> batch) {
        throwIfFailed();
        if (pool == null) {
            insert.insert(namespace, batch);
            return;
        }
        acquire(1);
        if (failure != null) { // failed while we waited: the batch is not handed over, nor is the room it took
            room.release();
            throwIfFailed();
        }
        try {
            pool.execute(() -> {
                try {
                    if (failure == null) { // after a failure, batches not yet started are dropped
                        insert.insert(namespace, batch);
                    }
                } catch (RuntimeException | Error e) {
                    fail(e);
                } finally {
                    room.release();
                }
            });
        } catch (RuntimeException e) {
            room.release();
            throw e;
        }
    }

    /** Waits until every batch handed over is inserted; throws the first failure. */
    void awaitIdle() {
        if (pool != null) {
            acquire(capacity);
            room.release(capacity);
        }
        throwIfFailed();
    }

    private void fail(Throwable e) {
        synchronized (this) {
            if (failure == null) {
                failure = e instanceof RuntimeException r ? r : new BackupException(CoreErrorCode.INTERNAL,
                        "inserting a batch failed: " + e, e);
            }
        }
    }

    private void throwIfFailed() {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }

    private void acquire(int permits) {
        try {
            room.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while waiting for documents to be inserted", e);
        }
    }

    /** Stops the workers after the inserts running now have ended (batches not yet started are dropped on a failure). */
    @Override
    public void close() {
        if (pool == null) {
            return;
        }
        if (failure == null && room.availablePermits() < capacity) {
            // closed on another error (the archive failed to read): do not start what is still queued
            fail(new BackupException(CoreErrorCode.INTERNAL, "the restore ended before these batches were inserted"));
        }
        pool.shutdown();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
            if (!pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                pool.shutdownNow();
                return;
            }
            // a terminated pool's last workers may still be leaving their run loop: let them exit
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
