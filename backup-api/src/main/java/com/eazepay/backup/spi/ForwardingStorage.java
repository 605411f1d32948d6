package com.eazepay.backup.spi;

import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link StorageTarget} that forwards every call to another (Okio's {@code ForwardingSink}): every wrapper
 * (retry, fault injection, metrics, test doubles) extends it and overrides only what it changes, so what it
 * does not change, capabilities included, passes through untouched.
 *
 * <pre>{@code
 * StorageTarget recording = new ForwardingStorage(storage) {
 *     @Override public void put(String key, InputStream data, PutOptions options) {
 *         puts.add(key);
 *         super.put(key, data, options);
 *     }
 * };
 * }</pre>
 *
 * <p><b>Capabilities:</b> {@link #capability(Class)} answers with this wrapper if it implements the type,
 * else with the delegate's answer. Calls on a capability found in the delegate bypass this wrapper; a wrapper
 * that must see them (as {@code RetryingStorage} retries them) overrides {@link #capability(Class)}.
 *
 * <p>Thread-safe if the delegate is and the subclass adds no unsynchronized state. Closing it closes the
 * delegate.
 */
public abstract class ForwardingStorage implements StorageTarget {

    /** The storage calls are forwarded to. */
    protected final StorageTarget delegate;

    protected ForwardingStorage(StorageTarget delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The storage this one forwards to (which may be a wrapper itself). */
    public final StorageTarget unwrap() {
        return delegate;
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

    /** This wrapper if it implements {@code type}, else the delegate's capability. */
    @Override
    public <C> Optional<C> capability(Class<C> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : delegate.capability(type);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
