package com.eazepay.backup.internal.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A one-writer, one-reader pipe holding at most {@code capacity} chunks of {@code chunkSize} bytes,
 * so memory stays bounded however much flows through. Unlike {@link java.io.PipedInputStream}, a
 * failure on either side reaches the other: {@link #abort} makes the reader fail (so a storage
 * upload never commits a partial object), and a reader that fails or closes early makes the
 * writer's next write fail.
 */
public final class BoundedPipe {

    private static final byte[] EOF = new byte[0];
    private static final long POLL_MS = 50;

    private final BlockingQueue<byte[]> queue;
    private final int chunkSize;
    private volatile Throwable writerAbort;
    private volatile Throwable readerFailure;
    private final Sink sink;
    private final Source source;

    public BoundedPipe(int chunkSize, int capacity) {
        if (chunkSize < 1 || capacity < 1) {
            throw new IllegalArgumentException("chunkSize and capacity must be positive, were " + chunkSize + " and " + capacity);
        }
        this.chunkSize = chunkSize;
        this.queue = new ArrayBlockingQueue<>(capacity);
        // created here, not in field initializers, which would run before chunkSize is set
        this.sink = new Sink();
        this.source = new Source();
    }

    /** The writing end. {@code close()} signals the end of data. */
    public OutputStream sink() {
        return sink;
    }

    /** The reading end. */
    public InputStream source() {
        return source;
    }

    /** Called by the writer side: the data is incomplete; the reader fails with {@code cause}. */
    public void abort(Throwable cause) {
        writerAbort = cause;
        queue.clear();
    }

    /** Called by the reader side when it fails: the writer's next write fails with {@code cause}. */
    public void failReader(Throwable cause) {
        readerFailure = cause;
        queue.clear();
    }

    private final class Sink extends OutputStream {
        private byte[] buffer = new byte[chunkSize];
        private int used;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            checkOpen();
            if (used == buffer.length) {
                push();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            checkOpen();
            while (len > 0) {
                if (used == buffer.length) {
                    push();
                }
                int n = Math.min(len, buffer.length - used);
                System.arraycopy(b, off, buffer, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        private void checkOpen() throws IOException {
            if (closed) {
                throw new IOException("pipe closed");
            }
            checkReader();
        }

        /** Only the reader's state: waiting to hand over the end-of-stream marker is not writing after close. */
        private void checkReader() throws IOException {
            Throwable f = readerFailure;
            if (f != null) {
                throw new IOException("the next stage failed: " + f.getMessage(), f);
            }
        }

        private void push() throws IOException {
            checkOpen();
            if (used == 0) {
                return;
            }
            byte[] chunk = used == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, used);
            offer(chunk);
            buffer = new byte[chunkSize];
            used = 0;
        }

        private void offer(byte[] chunk) throws IOException {
            try {
                while (!queue.offer(chunk, POLL_MS, TimeUnit.MILLISECONDS)) {
                    checkReader();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing to the storage upload");
            }
        }

        @Override
        public void flush() {
            // chunks are pushed when full or on close; flushing partial chunks would only cost memory churn
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            push();
            // a slow reader may keep the queue full for a while: wait for room for the end-of-stream
            // marker (failing only if the reader failed), and only then refuse further writes
            offer(EOF);
            closed = true;
        }
    }

    private final class Source extends InputStream {
        private byte[] current;
        private int pos;
        private boolean eof;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() throws IOException {
            while (current == null || pos == current.length) {
                if (eof) {
                    checkAbort();
                    return false;
                }
                try {
                    byte[] next;
                    do {
                        checkAbort();
                        next = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
                    } while (next == null);
                    checkAbort();
                    if (next == EOF) {
                        eof = true;
                        current = null;
                        return false;
                    }
                    current = next;
                    pos = 0;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading backup data");
                }
            }
            return true;
        }

        private void checkAbort() throws IOException {
            Throwable a = writerAbort;
            if (a != null) {
                throw new IOException("backup data is incomplete: " + a.getMessage(), a);
            }
        }

        @Override
        public int available() {
            return current == null ? 0 : current.length - pos;
        }

        @Override
        public void close() {
            if (!eof) {
                failReader(new IOException("the storage stopped reading before the end of the data"));
            }
        }
    }
}
