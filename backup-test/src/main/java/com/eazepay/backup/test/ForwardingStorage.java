package com.eazepay.backup.test;

import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link StorageTarget} that forwards every call to another: extend it and override only what a
 * test changes (record puts, refuse deletes, act when a stream is read). Closing it closes the delegate.
 *
 * <pre>{@code
 * StorageTarget recording = new ForwardingStorage(InMemoryStorage.create()) {
 *     @Override public void put(String key, InputStream data, PutOptions options) {
 *         puts.add(key);
 *         super.put(key, data, options);
 *     }
 * };
 * }</pre>
 */
public abstract class ForwardingStorage implements StorageTarget {

    /** The storage calls are forwarded to. */
    protected final StorageTarget delegate;

    protected ForwardingStorage(StorageTarget delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        delegate.put(key, data, options);
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        return delegate.putIfAbsent(key, data, options);
    }

    @Override
    public InputStream get(String key) {
        return delegate.get(key);
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        return delegate.get(key, range);
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
    public boolean supportsObjectLock() {
        return delegate.supportsObjectLock();
    }

    @Override
    public boolean legalHold(String key, boolean hold) {
        return delegate.legalHold(key, hold);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
