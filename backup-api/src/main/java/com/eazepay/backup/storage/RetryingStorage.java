package com.eazepay.backup.storage;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.InputStream;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Wraps a {@link StorageTarget} and retries its calls with a {@link RetryPolicy}.
 *
 * <ul>
 *   <li>{@code put}/{@code putIfAbsent}: retried only when the input can be rewound
 *       ({@link InputStream#markSupported()}, marked before the first attempt with a limit of the
 *       declared content length); streams of unknown length are retried per part inside the storage
 *       implementation instead.</li>
 *   <li>{@code stat}: "not found" is an answer, never retried.</li>
 *   <li>{@code list}: keys reported on an earlier attempt are not reported again.</li>
 *   <li>{@code get}: opening the stream is retried; reads from an opened stream are not.</li>
 * </ul>
 * Thread-safe if the delegate is. Closing this closes the delegate.
 */
public final class RetryingStorage implements StorageTarget {

    private final StorageTarget delegate;
    private final RetryPolicy policy;

    private RetryingStorage(StorageTarget delegate, RetryPolicy policy) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Wraps {@code delegate}. */
    public static RetryingStorage wrap(StorageTarget delegate, RetryPolicy policy) {
        return new RetryingStorage(delegate, policy);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        withRewind("put " + key, data, options, () -> {
            delegate.put(key, data, options);
            return null;
        });
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        return withRewind("putIfAbsent " + key, data, options, () -> delegate.putIfAbsent(key, data, options));
    }

    private <T> T withRewind(String op, InputStream data, PutOptions options, java.util.function.Supplier<T> call) {
        long length = options.contentLength();
        if (!data.markSupported() || length < 0 || length > Integer.MAX_VALUE - 1) {
            return call.get();
        }
        data.mark((int) length + 1);
        boolean[] first = {true};
        return policy.call(op, delegate.describe(), () -> {
            if (!first[0]) {
                try {
                    data.reset();
                } catch (java.io.IOException e) {
                    throw new BackupException(CoreErrorCode.INTERNAL, "cannot rewind input for retry of " + op, e);
                }
            }
            first[0] = false;
            return call.get();
        });
    }

    @Override
    public InputStream get(String key) {
        return policy.call("get " + key, delegate.describe(), () -> delegate.get(key));
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        return policy.call("get " + key, delegate.describe(), () -> delegate.get(key, range));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return policy.call("stat " + key, delegate.describe(), () -> delegate.stat(key));
    }

    @Override
    public void list(String prefix, ListVisitor visitor) {
        Set<String> seen = new HashSet<>();
        policy.run("list " + prefix, delegate.describe(), () -> delegate.list(prefix, o -> {
            if (seen.add(o.key())) {
                visitor.visit(o);
            }
        }));
    }

    @Override
    public void delete(String key) {
        policy.run("delete " + key, delegate.describe(), () -> delegate.delete(key));
    }

    @Override
    public boolean legalHold(String key, boolean hold) {
        return policy.call("legal hold " + key, delegate.describe(), () -> delegate.legalHold(key, hold));
    }

    @Override
    public boolean supportsObjectLock() {
        return delegate.supportsObjectLock();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "RetryingStorage[" + delegate.describe() + ", " + policy + "]";
    }
}
