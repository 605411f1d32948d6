package com.eazepay.backup.benchmarks;

import java.io.OutputStream;

/** An output stream that discards what it is given and counts the bytes. Not thread-safe. */
public final class CountingSink extends OutputStream {

    private long count;

    @Override
    public void write(int b) {
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        count += len;
    }

    /** Bytes written so far. */
    public long count() {
        return count;
    }
}
