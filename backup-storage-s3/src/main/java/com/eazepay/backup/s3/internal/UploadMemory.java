package com.eazepay.backup.s3.internal;

import com.eazepay.backup.BackupException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * The part buffers of one upload, bounded by a budget in bytes: a part buffer is taken only when the
 * bytes buffered (parts being read, queued, uploading, or pooled for reuse) plus its size stay within
 * the budget, else the reading thread waits for a part to finish. So as parts grow, fewer are in flight,
 * and memory never grows with the size of the stream. One per upload, not shared between uploads: an
 * upload whose source stalls (waiting for another stream of the same source) must not starve the other
 * upload. Thread-safe.
 */
public final class UploadMemory {

    private final long budget;
    private long reserved;
    private long maxReserved;

    public UploadMemory(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("budget must be > 0, was " + budgetBytes);
        }
        this.budget = budgetBytes;
    }

    /** The budget in bytes. */
    public long budget() {
        return budget;
    }

    /** The most bytes ever buffered at once so far. */
    public synchronized long maxReserved() {
        return maxReserved;
    }

    /** Bytes buffered now. */
    public synchronized long reserved() {
        return reserved;
    }

    /** The buffers of one upload, reused between its parts of the same size. */
    public final class Pool {
        private final Deque<byte[]> free = new ArrayDeque<>();
        private boolean closed;

        /**
         * A buffer of {@code size} bytes, waiting until the budget allows it.
         *
         * @param failed checked before and after each wait: a non-null answer is thrown (a part failed)
         * @throws InterruptedException if interrupted while waiting
         */
        public byte[] take(int size, Supplier<BackupException> failed) throws InterruptedException {
            if (size > budget) {
                throw new IllegalArgumentException("a part of " + size + " bytes exceeds the upload memory budget of " + budget);
            }
            synchronized (UploadMemory.this) {
                while (true) {
                    BackupException f = failed.get();
                    if (f != null) {
                        throw f;
                    }
                    for (var it = free.iterator(); it.hasNext(); ) {
                        byte[] b = it.next();
                        if (b.length == size) {
                            it.remove();
                            return b;
                        }
                    }
                    // buffers of another size will not be used again: give their bytes back
                    for (byte[] b : free) {
                        reserved -= b.length;
                    }
                    free.clear();
                    if (reserved + size <= budget) {
                        reserved += size;
                        maxReserved = Math.max(maxReserved, reserved);
                        return new byte[size];
                    }
                    UploadMemory.this.wait();
                }
            }
        }

        /** Returns a buffer taken from this pool (its part is done). */
        public void give(byte[] buffer) {
            synchronized (UploadMemory.this) {
                if (closed) {
                    reserved -= buffer.length;
                } else {
                    free.push(buffer);
                }
                UploadMemory.this.notifyAll();
            }
        }

        /** Wakes a thread waiting in {@link #take} (to see a failure). */
        public void wakeUp() {
            synchronized (UploadMemory.this) {
                UploadMemory.this.notifyAll();
            }
        }

        /** The upload is over: frees the pooled buffers; buffers given back later are freed too. */
        public void close() {
            synchronized (UploadMemory.this) {
                closed = true;
                for (byte[] b : free) {
                    reserved -= b.length;
                }
                free.clear();
                UploadMemory.this.notifyAll();
            }
        }
    }

    /** A pool for one upload. */
    public Pool newPool() {
        return new Pool();
    }
}
