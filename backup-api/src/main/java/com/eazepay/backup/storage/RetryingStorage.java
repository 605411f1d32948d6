package com.eazepay.backup.storage;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.BatchDelete;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.DeletionGuard;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.spi.LegalHolds;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Wraps a {@link StorageTarget} and retries its calls with a {@link RetryPolicy}.
 *
 * <ul>
 *   <li>{@code put}/{@code putIfAbsent}: the input is re-read from byte 0 on each attempt. An input that
 *       can be rewound ({@link InputStream#markSupported()} with a declared content length) is marked and
 *       reset. Any other input is first read into a buffer: up to {@value #MEMORY_SPOOL_BYTES} bytes in
 *       memory, beyond that into an owner-only temporary file of at most {@link #withSpool spool limit}
 *       bytes (default {@link #DEFAULT_SPOOL_LIMIT}, in {@code java.io.tmpdir}), deleted when the put
 *       returns. An input longer than the spool limit cannot be re-read: it is put in one attempt (the
 *       spooled part followed by the rest of the stream), and a failure says so in its message. Storages
 *       that retry inside the transfer ({@code S3Storage} per part, {@code GcsStorage} per chunk) need no
 *       wrapper: do not wrap them, or every attempt is multiplied.</li>
 *   <li>{@code stat}: "not found" is an answer, never retried.</li>
 *   <li>{@code list}: keys reported on an earlier attempt are not reported again.</li>
 *   <li>{@code get}: opening the stream is retried; reads from an opened stream are not.</li>
 *   <li>Capabilities pass through ({@link ForwardingStorage}); calls on {@link LegalHolds},
 *       {@link DeletionGuard} and {@link BatchDelete} are retried too.</li>
 * </ul>
 * Immutable; thread-safe if the delegate is. Closing this closes the delegate.
 */
public final class RetryingStorage extends ForwardingStorage {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingStorage.class);

    /** Inputs of unknown length up to this many bytes are buffered in memory for retries: 64 KiB. */
    public static final int MEMORY_SPOOL_BYTES = 64 * 1024;
    /** Default most bytes of an input of unknown length spooled to a temporary file for retries: 64 MiB. */
    public static final long DEFAULT_SPOOL_LIMIT = 64L * 1024 * 1024;

    private final RetryPolicy policy;
    private final Path spoolDirectory;
    private final long spoolLimit;

    private RetryingStorage(StorageTarget delegate, RetryPolicy policy, Path spoolDirectory, long spoolLimit) {
        super(delegate);
        this.policy = Objects.requireNonNull(policy, "policy");
        this.spoolDirectory = spoolDirectory;
        this.spoolLimit = spoolLimit;
    }

    /** Wraps {@code delegate}; inputs of unknown length are spooled up to {@link #DEFAULT_SPOOL_LIMIT}. */
    public static RetryingStorage wrap(StorageTarget delegate, RetryPolicy policy) {
        return new RetryingStorage(delegate, policy, null, DEFAULT_SPOOL_LIMIT);
    }

    /**
     * A copy that spools inputs of unknown length into {@code directory} (owner-only files) up to
     * {@code maxBytes} bytes; {@code 0} disables the file spool (only inputs up to
     * {@value #MEMORY_SPOOL_BYTES} bytes are then retried). Default: {@code java.io.tmpdir}, 64 MiB.
     *
     * @param directory the spool directory, or {@code null} for {@code java.io.tmpdir}
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    public RetryingStorage withSpool(Path directory, long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("spool maxBytes must be >= 0 (0: no file spool), was " + maxBytes);
        }
        return new RetryingStorage(delegate, policy, directory, maxBytes);
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        withRewind("put " + key, data, options, (in, o) -> {
            delegate.put(key, in, o);
            return null;
        });
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        return withRewind("putIfAbsent " + key, data, options, (in, o) -> delegate.putIfAbsent(key, in, o));
    }

    @FunctionalInterface
    private interface Put<T> {
        T put(InputStream data, PutOptions options);
    }

    private <T> T withRewind(String op, InputStream data, PutOptions options, Put<T> call) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(options, "options");
        long length = options.contentLength();
        if (data.markSupported() && length >= 0 && length < Integer.MAX_VALUE - 1) {
            data.mark((int) length + 1);
            boolean[] first = {true};
            return policy.call(op, delegate.describe(), () -> {
                if (!first[0]) {
                    rewind(op, data);
                }
                first[0] = false;
                return call.put(data, options);
            });
        }
        byte[] head;
        try {
            head = data.readNBytes(MEMORY_SPOOL_BYTES);
        } catch (IOException e) {
            throw inputFailed(op, e);
        }
        if (head.length < MEMORY_SPOOL_BYTES) {
            PutOptions exact = options.contentLength() >= 0 ? options : options.withContentLength(head.length);
            return policy.call(op, delegate.describe(), () -> call.put(new ByteArrayInputStream(head), exact));
        }
        if (spoolLimit == 0) {
            return once(op, new SequenceInputStream(new ByteArrayInputStream(head), data), options,
                    "the file spool is disabled (withSpool(dir, 0))", call);
        }
        Path spool = createSpool(op);
        try {
            long spooled;
            boolean complete;
            try (OutputStream out = Files.newOutputStream(spool)) {
                out.write(head);
                spooled = head.length + copy(op, data, out, spoolLimit - head.length + 1);
                complete = spooled <= spoolLimit;
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, op + ": spooling the input to " + spool
                        + " for retries failed (" + e.getMessage() + "); check free space there or configure"
                        + " RetryingStorage.withSpool(directory, maxBytes)", e, false);
            }
            if (complete) {
                PutOptions exact = options.contentLength() >= 0 ? options : options.withContentLength(spooled);
                return policy.call(op, delegate.describe(), () -> {
                    try (InputStream in = Files.newInputStream(spool)) {
                        return call.put(in, exact);
                    } catch (IOException e) {
                        throw new BackupException(CoreErrorCode.STORAGE_FAILED, op + ": reading the spool " + spool
                                + " failed: " + e.getMessage(), e, false);
                    }
                });
            }
            try (InputStream in = new SequenceInputStream(Files.newInputStream(spool), data)) {
                return once(op, in, options, "the input is longer than the spool limit of " + spoolLimit + " bytes", call);
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, op + ": reading the spool " + spool
                        + " failed: " + e.getMessage(), e, false);
            }
        } finally {
            try {
                Files.deleteIfExists(spool);
            } catch (IOException e) {
                LOG.warn("{}: deleting the retry spool {} failed: {}", op, spool, e.toString());
            }
        }
    }

    /** One attempt: an input that cannot be re-read is never retried, and a failure says why. */
    private <T> T once(String op, InputStream in, PutOptions options, String why, Put<T> call) {
        LOG.debug("{} on {}: one attempt only: {}", op, delegate.describe(), why);
        try {
            return call.put(in, options);
        } catch (BackupException e) {
            if (!e.isRetryable()) {
                throw e;
            }
            throw new BackupException(e.errorCode(), e.getMessage() + "; not retried by RetryingStorage: " + why
                    + ", so the input cannot be re-read (raise withSpool(directory, maxBytes), or use a storage that"
                    + " retries inside the upload)", e, true);
        }
    }

    /** Copies up to {@code max} bytes; a failing input is {@link #inputFailed}, a failing output an IOException. */
    private static long copy(String op, InputStream in, OutputStream out, long max) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        while (total < max) {
            int n;
            try {
                n = in.read(buf, 0, (int) Math.min(buf.length, max - total));
            } catch (IOException e) {
                throw inputFailed(op, e);
            }
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    private Path createSpool(String op) {
        try {
            Path dir = spoolDirectory != null ? spoolDirectory : Path.of(System.getProperty("java.io.tmpdir"));
            FileAttribute<?>[] attrs = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0];
            return Files.createTempFile(dir, ".retry-spool-", ".tmp", attrs);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, op + ": cannot create a retry spool file ("
                    + e.getMessage() + "); configure RetryingStorage.withSpool(directory, maxBytes)", e, false);
        }
    }

    private static void rewind(String op, InputStream data) {
        try {
            data.reset();
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.INTERNAL, "cannot rewind input for retry of " + op, e);
        }
    }

    private static BackupException inputFailed(String op, IOException e) {
        return new BackupException(CoreErrorCode.STORAGE_FAILED, op + " aborted: reading the input failed ("
                + e.getMessage() + "); nothing was stored", e, false);
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

    /** The delegate's capability; calls on {@link LegalHolds}, {@link DeletionGuard} and {@link BatchDelete} are retried. */
    @Override
    public <C> Optional<C> capability(Class<C> type) {
        Optional<C> found = delegate.capability(type);
        if (found.isEmpty()) {
            return found;
        }
        Object c = found.get();
        String where = delegate.describe();
        Object retrying;
        if (type == LegalHolds.class) {
            LegalHolds holds = (LegalHolds) c;
            retrying = (LegalHolds) (key, hold) -> policy.run("legal hold " + key, where, () -> holds.setLegalHold(key, hold));
        } else if (type == DeletionGuard.class) {
            DeletionGuard guard = (DeletionGuard) c;
            retrying = (DeletionGuard) key -> policy.call("deletion guard " + key, where, () -> guard.deletionBlocker(key));
        } else if (type == BatchDelete.class) {
            BatchDelete batch = (BatchDelete) c;
            retrying = (BatchDelete) keys -> policy.run("delete batch", where, () -> batch.deleteAll(keys));
        } else {
            return found;
        }
        return Optional.of(type.cast(retrying));
    }

    @Override
    public String toString() {
        return "RetryingStorage[" + delegate.describe() + ", " + policy + "]";
    }
}
