package com.eazepay.backup.engine;

import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.spi.ForwardingStorage;

import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

/** Forwards every call and counts GETs (all, and of manifests) and LISTs, to measure what selection reads. */
final class CountingStorage extends ForwardingStorage {

    final AtomicInteger manifestGets = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger lists = new AtomicInteger();

    CountingStorage(StorageTarget delegate) {
        super(delegate);
    }

    void reset() {
        manifestGets.set(0);
        gets.set(0);
        lists.set(0);
    }

    @Override
    public InputStream get(String key) {
        count(key);
        return super.get(key);
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        count(key);
        return super.get(key, range);
    }

    private void count(String key) {
        gets.incrementAndGet();
        if (key.endsWith("/manifest.json")) {
            manifestGets.incrementAndGet();
        }
    }

    @Override
    public void list(String prefix, ListVisitor visitor) {
        lists.incrementAndGet();
        super.list(prefix, visitor);
    }
}
