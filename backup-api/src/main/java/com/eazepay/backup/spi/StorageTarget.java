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
     * Whether {@link #put} honours {@link PutOptions#retainUntil()} by making the object immutable
     * and undeletable until then (S3 Object Lock). Storages that return {@code false} (the default)
     * ignore it; the engine refuses to promise object lock on such a repository.
     */
    default boolean supportsObjectLock() {
        return false;
    }

    /**
     * Places ({@code true}) or lifts ({@code false}) the store's own legal hold on one object, where the store
     * has one (S3 Object Lock legal hold, GCS temporary hold): while held, the object cannot be deleted or
     * overwritten, even by a client that ignores the repository's hold markers. Idempotent.
     *
     * @return {@code false} when this storage has no such hold (the default): the repository's marker is then
     *         the only hold
     */
    default boolean legalHold(String key, boolean hold) {
        return false;
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
