package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where backups are stored: five verbs plus {@link #putIfAbsent}. Keys are {@code /}-separated
 * relative paths such as {@code postgres/20261124T020000Z-k3f9qa/manifest.json}.
 *
 * <p><b>Thread safety:</b> implementations accept concurrent calls on different keys.
 *
 * <p><b>Errors:</b> every method throws only {@link BackupException}; implementations translate
 * vendor exceptions into a precise {@link com.eazepay.backup.CoreErrorCode} (or their own code)
 * and retryable flag: {@code STORAGE_UNAVAILABLE}/{@code STORAGE_THROTTLED} (retryable),
 * {@code STORAGE_FAILED}, {@code NOT_FOUND}.
 *
 * <p><b>Capabilities</b> beyond the verbs ({@link ObjectLock}, {@link LegalHolds}, {@link DeletionGuard},
 * {@link BatchDelete}) are small interfaces found with {@link #capability(Class)}; wrappers extend
 * {@link ForwardingStorage} and so keep them.
 *
 * <p><b>Streams:</b> methods never close a stream they did not open; streams they return are the
 * caller's to close.
 */
public interface StorageTarget extends AutoCloseable {

    /** A short, credential-free description for logs and messages, e.g. {@code s3://bucket/prefix}. */
    String describe();

    /**
     * Stores all bytes of {@code data} under {@code key}, replacing any existing object. The write
     * is atomic: readers see either the old object, the new one, or (for a new key) nothing. If
     * reading {@code data} or storing fails, nothing partial becomes visible.
     *
     * @param data read to its end; not closed
     */
    void put(String key, InputStream data, PutOptions options);

    /**
     * Stores {@code data} under {@code key} only if no object exists there, atomically with respect
     * to concurrent callers (leases, commit markers).
     *
     * @return {@code true} if this call created the object, {@code false} if one already existed
     */
    boolean putIfAbsent(String key, InputStream data, PutOptions options);

    /**
     * Opens the object for reading.
     *
     * @throws BackupException {@code NOT_FOUND} if there is no object under {@code key}
     */
    InputStream get(String key);

    /**
     * Opens a byte range of the object. The range may extend past the end of the object: the
     * stream then ends at the object's end.
     *
     * @throws BackupException {@code NOT_FOUND} if there is no object under {@code key}
     */
    InputStream get(String key, ByteRange range);

    /** Metadata of the object, or empty if there is none. "Not found" is an answer, not an error. */
    Optional<ObjectInfo> stat(String key);

    /**
     * Calls {@code visitor} once per object whose key starts with {@code prefix}, in no particular
     * order. Objects being written and not yet committed are not reported.
     */
    void list(String prefix, ListVisitor visitor);

    /** Deletes the object; deleting a missing key is not an error. */
    void delete(String key);

    /**
     * This storage's capability of type {@code type} ({@link ObjectLock}, {@link LegalHolds},
     * {@link DeletionGuard}, {@link BatchDelete}, or a type of its own), or empty if it has none. Wrappers
     * ({@link ForwardingStorage}) answer with their own, else their delegate's, so a capability survives any
     * number of wrappers (restic's {@code Unwrap}).
     *
     * <p>Default: {@code this} if it implements {@code type}, else empty. A storage whose ability depends on
     * its configuration (S3 Object Lock only with a lock mode) overrides this and answers empty when it is off.
     */
    default <C> Optional<C> capability(Class<C> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /**
     * Whether this storage has the {@link ObjectLock} capability. Derived: do not override, declare the
     * capability instead.
     */
    default boolean supportsObjectLock() {
        return capability(ObjectLock.class).isPresent();
    }

    /**
     * Places or lifts the store's own legal hold through the {@link LegalHolds} capability, where there is one.
     * Derived: do not override, declare the capability instead.
     *
     * @return {@code false} when this storage has no such hold: the repository's marker is then the only hold
     */
    default boolean legalHold(String key, boolean hold) {
        Optional<LegalHolds> holds = capability(LegalHolds.class);
        holds.ifPresent(h -> h.setLegalHold(key, hold));
        return holds.isPresent();
    }

    /** All objects under {@code prefix}, sorted by key. Convenience over {@link #list}. */
    default List<ObjectInfo> listAll(String prefix) {
        List<ObjectInfo> all = new ArrayList<>();
        list(prefix, all::add);
        all.sort((a, b) -> a.key().compareTo(b.key()));
        return all;
    }

    /** Releases resources this target created (clients, pools). Idempotent. */
    @Override
    default void close() {
    }
}
