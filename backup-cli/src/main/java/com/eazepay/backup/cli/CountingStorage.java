package com.eazepay.backup.cli;

import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A storage target seen through a byte counter: every byte written to it or read from it is added to
 * {@code moved}, which drives the progress display. Everything else goes to the delegate unchanged;
 * closing this view does not close the delegate (the configuration owns it).
 */
final class CountingStorage implements StorageTarget {

    private final StorageTarget delegate;
    private final AtomicLong moved;

    CountingStorage(StorageTarget delegate, AtomicLong moved) {
        this.delegate = delegate;
        this.moved = moved;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        delegate.put(key, counted(data), options);
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        return delegate.putIfAbsent(key, counted(data), options);
    }

    @Override
    public InputStream get(String key) {
        return counted(delegate.get(key));
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        return counted(delegate.get(key, range));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public void list(String prefix, ListVisitor visitor) {
        delegate.list(prefix, visitor);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    @Override
    public <C> Optional<C> capability(Class<C> type) {
        return delegate.capability(type);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    private InputStream counted(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    moved.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    moved.addAndGet(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                return super.skip(n);
            }
        };
    }
}
