package com.eazepay.backup.retention;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A tiny test-local storage (backup-api cannot depend on backup-test's InMemoryStorage): objects are
 * sizes and times only; deletes are recorded in order and can be made to fail per key.
 */
final class MapStorage implements StorageTarget {

    final TreeMap<String, ObjectInfo> objects = new TreeMap<>();
    final List<String> deletes = new ArrayList<>();
    final Set<String> failingDeletes = new HashSet<>();

    MapStorage add(String key, long size, Instant modified) {
        objects.put(key, new ObjectInfo(key, size, modified));
        return this;
    }

    @Override
    public String describe() {
        return "map://test";
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        try {
            add(key, data.readAllBytes().length, Instant.EPOCH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        if (objects.containsKey(key)) {
            return false;
        }
        put(key, data, options);
        return true;
    }

    @Override
    public InputStream get(String key) {
        if (!objects.containsKey(key)) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, key);
        }
        return new ByteArrayInputStream(new byte[(int) objects.get(key).size()]);
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        return get(key);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return Optional.ofNullable(objects.get(key));
    }

    @Override
    public void list(String prefix, ListVisitor visitor) {
        new ArrayList<>(objects.tailMap(prefix).values()).stream()
                .takeWhile(o -> o.key().startsWith(prefix))
                .forEach(visitor::visit);
    }

    @Override
    public void delete(String key) {
        if (failingDeletes.contains(key)) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "delete " + key + " failed (injected)");
        }
        deletes.add(key);
        objects.remove(key);
    }
}
