package com.eazepay.backup.engine;

import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Forwards every call and counts GETs of manifests and LISTs, to measure what selection reads. */
final class CountingStorage implements StorageTarget {

    final StorageTarget delegate;
    final AtomicInteger manifestGets = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger lists = new AtomicInteger();

    CountingStorage(StorageTarget delegate) {
        this.delegate = delegate;
    }

    void reset() {
        manifestGets.set(0);
        gets.set(0);
        lists.set(0);
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
        count(key);
        return delegate.get(key);
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        count(key);
        return delegate.get(key, range);
    }

    private void count(String key) {
        gets.incrementAndGet();
        if (key.endsWith("/manifest.json")) {
            manifestGets.incrementAndGet();
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public void list(String prefix, ListVisitor visitor) {
        lists.incrementAndGet();
        delegate.list(prefix, visitor);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }
}
