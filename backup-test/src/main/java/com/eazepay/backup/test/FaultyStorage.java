package com.eazepay.backup.test;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.Sleeper;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fault-injecting wrapper around a {@link StorageTarget}, for tests: fail the Nth call of an
 * operation, fail a put after N bytes of its input were read, cut a read after N bytes, flip a byte
 * of what is read, or slow every call down (through a {@link Sleeper}, so tests need not wait).
 * Faults apply to keys matching {@link #onKeys} (all keys by default). Configure before use;
 * thread-safe afterwards. A {@link ForwardingStorage}: the wrapped storage's capabilities
 * ({@code ObjectLock}, {@code LegalHolds}, ...) pass through, and calls on them are not faulted.
 *
 * <pre>{@code
 * FaultyStorage storage = FaultyStorage.wrap(InMemoryStorage.create()).failPutAfterBytes(1_000_000);
 * }</pre>
 */
public final class FaultyStorage extends ForwardingStorage {

    /** The operations faults can target. */
    public enum Operation { PUT, PUT_IF_ABSENT, GET, STAT, LIST, DELETE }

    private final Map<Operation, AtomicInteger> calls = new EnumMap<>(Operation.class);
    private final Map<Operation, Integer> failOnCall = new EnumMap<>(Operation.class);
    private Predicate<String> keys = k -> true;
    private long failPutAfterBytes = -1;
    private long cutGetAfterBytes = -1;
    private long flipByteAt = -1;
    private boolean retryableFaults = true;
    private Duration delay = Duration.ZERO;
    private volatile boolean unreachable;
    private Sleeper sleeper = Sleeper.system();

    private FaultyStorage(StorageTarget delegate) {
        super(delegate);
        for (Operation op : Operation.values()) {
            calls.put(op, new AtomicInteger());
        }
    }

    /** Wraps {@code delegate}; no faults until configured. */
    public static FaultyStorage wrap(StorageTarget delegate) {
        return new FaultyStorage(delegate);
    }

    /** Limits faults to keys matching {@code predicate}, e.g. {@code k -> !k.endsWith("manifest.json")}. */
    public FaultyStorage onKeys(Predicate<String> predicate) {
        this.keys = Objects.requireNonNull(predicate, "predicate");
        return this;
    }

    /**
     * The {@code n}th call (1-based, counted over all keys) of {@code op} fails, if its key matches
     * {@link #onKeys}.
     */
    public FaultyStorage failOnCall(Operation op, int n) {
        failOnCall.put(op, n);
        return this;
    }

    /**
     * While {@code true}, every call of every operation fails (a storage that became unreachable, e.g. the primary in
     * a full-loss drill). Can be switched at any time.
     */
    public FaultyStorage unreachable(boolean down) {
        this.unreachable = down;
        return this;
    }

    /** Every put/putIfAbsent fails after reading {@code bytes} bytes of its input. */
    public FaultyStorage failPutAfterBytes(long bytes) {
        this.failPutAfterBytes = bytes;
        return this;
    }

    /** Every get returns a stream that throws an {@link IOException} after {@code bytes} bytes. */
    public FaultyStorage cutGetAfterBytes(long bytes) {
        this.cutGetAfterBytes = bytes;
        return this;
    }

    /** Every get returns the data with the byte at object offset {@code offset} inverted. */
    public FaultyStorage flipByteOnGet(long offset) {
        this.flipByteAt = offset;
        return this;
    }

    /** Whether injected failures are retryable ({@code STORAGE_UNAVAILABLE}, default) or not ({@code STORAGE_FAILED}). */
    public FaultyStorage retryableFaults(boolean retryable) {
        this.retryableFaults = retryable;
        return this;
    }

    /** Every call first sleeps {@code delay} through {@code sleeper}. */
    public FaultyStorage slowDown(Duration delay, Sleeper sleeper) {
        this.delay = Objects.requireNonNull(delay, "delay");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /** How many calls of {@code op} were made (matching keys or not). */
    public int calls(Operation op) {
        return calls.get(op).get();
    }

    private void before(Operation op, String key) {
        int n = calls.get(op).incrementAndGet();
        if (!delay.isZero()) {
            sleeper.sleep(delay);
        }
        if (unreachable) {
            throw fault("injected failure: " + op + " on " + key + " (storage unreachable)");
        }
        Integer failAt = failOnCall.get(op);
        if (failAt != null && n == failAt && keys.test(key)) {
            throw fault("injected failure of " + op + " call " + n + " on " + key);
        }
    }

    private BackupException fault(String message) {
        return new BackupException(retryableFaults ? CoreErrorCode.STORAGE_UNAVAILABLE : CoreErrorCode.STORAGE_FAILED, message);
    }

    private InputStream failingInput(InputStream data, String key) {
        if (failPutAfterBytes < 0 || !keys.test(key)) {
            return data;
        }
        return new FilterInputStream(data) {
            private long read;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read >= failPutAfterBytes) {
                    throw new IOException("injected failure after " + read + " bytes of " + key);
                }
                int n = in.read(b, off, (int) Math.min(len, failPutAfterBytes - read));
                if (n > 0) {
                    read += n;
                }
                return n;
            }

            @Override
            public void close() {
                // the caller owns the wrapped stream
            }
        };
    }

    @Override
    public String describe() {
        return "faulty(" + delegate.describe() + ")";
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        before(Operation.PUT, key);
        delegate.put(key, failingInput(data, key), options);
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        before(Operation.PUT_IF_ABSENT, key);
        return delegate.putIfAbsent(key, failingInput(data, key), options);
    }

    @Override
    public InputStream get(String key) {
        return get(key, ByteRange.from(0));
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        before(Operation.GET, key);
        InputStream in = delegate.get(key, range);
        if (!keys.test(key) || (cutGetAfterBytes < 0 && flipByteAt < 0)) {
            return in;
        }
        long start = range.offset();
        return new FilterInputStream(in) {
            private long pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (cutGetAfterBytes >= 0 && pos >= cutGetAfterBytes) {
                    throw new IOException("injected connection reset after " + pos + " bytes of " + key);
                }
                int max = cutGetAfterBytes >= 0 ? (int) Math.min(len, cutGetAfterBytes - pos) : len;
                int n = in.read(b, off, max);
                if (n > 0) {
                    long flip = flipByteAt - start;
                    if (flipByteAt >= 0 && flip >= pos && flip < pos + n) {
                        b[off + (int) (flip - pos)] ^= (byte) 0xff;
                    }
                    pos += n;
                }
                return n;
            }
        };
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        before(Operation.STAT, key);
        return delegate.stat(key);
    }

    @Override
    public void list(String prefix, ListVisitor visitor) {
        before(Operation.LIST, prefix);
        delegate.list(prefix, visitor);
    }

    @Override
    public void delete(String key) {
        before(Operation.DELETE, key);
        delegate.delete(key);
    }
}
