package com.eazepay.backup.test;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link StorageTarget} in memory, for tests. Objects are held as byte arrays, so keep test data
 * small. Thread-safe; writes are atomic (an object appears only once its input was read completely).
 */
public final class InMemoryStorage implements StorageTarget {

    private record Entry(byte[] data, Instant modified) {
    }

    private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();
    private final Clock clock;

    private InMemoryStorage(Clock clock) {
        this.clock = clock;
    }

    /** Empty storage whose object times come from the system clock. */
    public static InMemoryStorage create() {
        return new InMemoryStorage(Clock.systemUTC());
    }

    /** Empty storage whose object times come from {@code clock} (a {@link TestClock}). */
    public static InMemoryStorage withClock(Clock clock) {
        return new InMemoryStorage(Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public String describe() {
        return "memory://" + Integer.toHexString(System.identityHashCode(this));
    }

    private static byte[] readAll(InputStream data, String key) {
        // Test-kit storage holds objects in memory by design; production storages stream.
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            data.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "put " + key + ": reading the input failed: " + e, e);
        }
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        byte[] bytes = readAll(data, key);
        objects.put(key, new Entry(bytes, clock.instant()));
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        byte[] bytes = readAll(data, key);
        return objects.putIfAbsent(key, new Entry(bytes, clock.instant())) == null;
    }

    @Override
    public InputStream get(String key) {
        return new ByteArrayInputStream(entry(key).data);
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        byte[] data = entry(key).data;
        int from = (int) Math.min(range.offset(), data.length);
        int to = range.toEnd() ? data.length : (int) Math.min(data.length, range.offset() + range.length());
        return new ByteArrayInputStream(data, from, Math.max(0, to - from));
    }

    private Entry entry(String key) {
        Entry e = objects.get(key);
        if (e == null) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "no object " + key + " in " + describe());
        }
        return e;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Entry e = objects.get(key);
        return e == null ? Optional.empty() : Optional.of(new ObjectInfo(key, e.data.length, e.modified));
    }

    @Override
    public void list(String prefix, ListVisitor visitor) {
        for (Map.Entry<String, Entry> e : objects.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            visitor.visit(new ObjectInfo(e.getKey(), e.getValue().data.length, e.getValue().modified));
        }
    }

    @Override
    public void delete(String key) {
        objects.remove(key);
    }

    /** All keys, sorted. */
    public List<String> keys() {
        return new ArrayList<>(objects.keySet());
    }

    /** The bytes of an object (a copy), for assertions. */
    public byte[] bytes(String key) {
        return entry(key).data.clone();
    }

    /** Replaces an object's bytes directly, e.g. to simulate corruption at rest. */
    public void overwrite(String key, byte[] data) {
        objects.put(key, new Entry(data.clone(), clock.instant()));
    }

    /** Sets an object's last-modified time, e.g. to age an unfinished upload. */
    public void touch(String key, Instant modified) {
        Entry e = entry(key);
        objects.put(key, new Entry(e.data, modified));
    }

    @Override
    public String toString() {
        return "InMemoryStorage[" + objects.size() + " objects]";
    }
}
