package com.eazepay.backup.s3.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.s3.internal.S3Errors.Op;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * One upload of a stream to one S3 key. A stream shorter than the first part is sent as a single
 * {@code PutObject}; anything longer as a multipart upload whose parts are read by the calling thread
 * into at most {@code partsInFlight} buffers and uploaded by the executor, each part with its own
 * checksum and its own retries. On any failure (the input throwing, a part failing after its retries,
 * an interrupt) the multipart upload is aborted, after the parts in flight have finished, so no
 * orphan remains and nothing becomes visible.
 *
 * <p>Memory: at most {@code uploadMemory} bytes of part buffers ({@link UploadMemory}), plus a 64 KiB probe
 * buffer; at most {@code partsInFlight} parts upload at once. The part size doubles every
 * {@value #PARTS_PER_SIZE_STEP} parts, up to the budget, so fewer parts are in flight as parts grow: with
 * 16 MiB parts and a 64 MiB budget, the first 1,000 parts are 16 MiB (4 in flight), the next 1,000 are
 * 32 MiB (2 in flight), the rest 64 MiB (1 in flight): about 547 GiB in S3's 10,000 parts.
 */
public final class StreamingUpload {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingUpload.class);

    /** S3's minimum part size (all parts but the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** Our largest part: 1 GiB (S3 allows 5 GiB, but a Java array cannot hold that). */
    public static final long MAX_PART_SIZE = 1L << 30;
    /** S3's maximum number of parts. */
    public static final int MAX_PARTS = 10_000;
    /** Parts per part size; the part size doubles after each such run. */
    public static final int PARTS_PER_SIZE_STEP = 1_000;
    private static final int PROBE = 64 * 1024;

    /** Everything about the target and the headers to send, fixed per storage. */
    public record Settings(S3Client client, String bucket, String region, StorageClass storageClass,
                           ServerSideEncryption sse, String kmsKeyId, ObjectLockMode lockMode,
                           ChecksumAlgorithm checksum, long partSize, int partsInFlight, long uploadMemory,
                           ExecutorService executor, RetryPolicy retryPolicy, LongConsumer bufferedBytes) {
    }

    private final Settings s;
    private final String key;
    private final String location;
    private final String contentType;
    private final Optional<Instant> retainUntil;
    private final boolean ifNoneMatch;
    private final long basePartSize;
    private final StorageClass storageClass;
    private final long maxPartSize;
    private final UploadMemory memory;

    /**
     * @param key           the full object key (prefix included)
     * @param location      {@code s3://bucket/key}, for messages
     * @param contentLength the declared length or -1; used to pick a part size that fits 10,000 parts
     * @param ifNoneMatch   send {@code If-None-Match: *} (put-if-absent)
     */
    public StreamingUpload(Settings settings, String key, String location, String contentType, long contentLength,
                           Optional<Instant> retainUntil, boolean ifNoneMatch) {
        this(settings, key, location, contentType, contentLength, retainUntil, ifNoneMatch, true);
    }

    /**
     * @param dataObject a backup's data: stored in the configured storage class; bookkeeping ({@code false})
     *                   is stored in the bucket's default class (STANDARD)
     */
    public StreamingUpload(Settings settings, String key, String location, String contentType, long contentLength,
                           Optional<Instant> retainUntil, boolean ifNoneMatch, boolean dataObject) {
        this.storageClass = dataObject ? settings.storageClass() : null;
        this.s = settings;
        this.key = key;
        this.location = location;
        this.contentType = contentType;
        this.retainUntil = retainUntil;
        this.ifNoneMatch = ifNoneMatch;
        long base = settings.partSize();
        if (contentLength > 0) {
            long needed = (contentLength + MAX_PARTS - 1) / MAX_PARTS;
            base = Math.max(base, needed);
        }
        this.maxPartSize = Math.min(MAX_PART_SIZE, settings.uploadMemory());
        this.basePartSize = Math.min(maxPartSize, base);
        this.memory = new UploadMemory(settings.uploadMemory());
        if (contentLength > 0 && (contentLength + MAX_PARTS - 1) / MAX_PARTS > maxPartSize) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "upload to " + location + " of " + contentLength
                    + " bytes needs parts of " + (contentLength + MAX_PARTS - 1) / MAX_PARTS + " bytes to fit S3's " + MAX_PARTS
                    + " parts, more than the upload memory budget of " + settings.uploadMemory()
                    + " bytes: raise uploadMemory(..)", null, false);
        }
    }

    /** The size of part {@code partNumber} (1-based), growing up to {@link #MAX_PART_SIZE}. */
    public static long partSize(long base, int partNumber) {
        return partSize(base, partNumber, MAX_PART_SIZE);
    }

    /**
     * The size of part {@code partNumber} (1-based): {@code base}, doubling every {@value #PARTS_PER_SIZE_STEP}
     * parts, never above {@code max} (the upload memory budget: one part at a time at most).
     */
    public static long partSize(long base, int partNumber, long max) {
        int doublings = (partNumber - 1) / PARTS_PER_SIZE_STEP;
        long size = base;
        for (int i = 0; i < doublings && size < max; i++) {
            size *= 2;
        }
        return Math.min(max, size);
    }

    /**
     * Reads {@code data} to its end and stores it.
     *
     * @return {@code false} only when {@code ifNoneMatch} was requested and an object already existed
     */
    public boolean run(InputStream data) {
        UploadMemory.Pool pool = memory.newPool();
        try {
            byte[] probe = new byte[(int) Math.min(PROBE, basePartSize)];
            int n = readFully(data, probe, 0, probe.length);
            if (n < probe.length) {
                return singlePut(probe, n);
            }
            byte[] first = take(pool, (int) basePartSize, () -> null);
            System.arraycopy(probe, 0, first, 0, n);
            probe = null;
            int filled = n + readFully(data, first, n, first.length - n);
            if (filled < first.length) {
                return singlePut(first, filled);
            }
            return multipart(data, first, pool);
        } finally {
            pool.close();
            s.bufferedBytes().accept(memory.maxReserved());
        }
    }

    private byte[] take(UploadMemory.Pool pool, int size, java.util.function.Supplier<BackupException> failed) {
        try {
            return pool.take(size, failed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(CoreErrorCode.INTERRUPTED, "upload to " + location + " was interrupted", e, false);
        }
    }

    private int readFully(InputStream in, byte[] buf, int off, int len) {
        try {
            return in.readNBytes(buf, off, len);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "upload to " + location
                    + " failed: reading the data to store failed (" + e.getMessage() + "); nothing was stored", e, false);
        }
    }

    private static RequestBody body(byte[] buf, int len) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, len), len, "application/octet-stream");
    }

    private boolean singlePut(byte[] buf, int len) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(s.bucket()).key(key)
                .contentType(contentType).contentLength((long) len)
                .storageClass(storageClass).checksumAlgorithm(s.checksum());
        if (s.sse() != null) {
            b.serverSideEncryption(s.sse());
            if (s.kmsKeyId() != null) {
                b.ssekmsKeyId(s.kmsKeyId());
            }
        }
        retainUntil.ifPresent(until -> b.objectLockMode(s.lockMode()).objectLockRetainUntilDate(until));
        if (ifNoneMatch) {
            b.ifNoneMatch("*");
        }
        PutObjectRequest request = b.build();
        Op op = retainUntil.isPresent() ? Op.RETENTION : Op.PUT;
        return s.retryPolicy().call("put", location, () -> {
            try {
                s.client().putObject(request, body(buf, len));
                return true;
            } catch (S3Exception e) {
                if (ifNoneMatch && e.statusCode() == 412) {
                    return false;
                }
                throw S3Errors.translate(op, s.bucket(), location, s.region(), e);
            } catch (SdkException | UncheckedIOException e) {
                throw S3Errors.translate(op, s.bucket(), location, s.region(), e);
            }
        });
    }

    private boolean multipart(InputStream data, byte[] first, UploadMemory.Pool pool) {
        CreateMultipartUploadRequest.Builder cb = CreateMultipartUploadRequest.builder().bucket(s.bucket()).key(key)
                .contentType(contentType).storageClass(storageClass).checksumAlgorithm(s.checksum());
        if (s.sse() != null) {
            cb.serverSideEncryption(s.sse());
            if (s.kmsKeyId() != null) {
                cb.ssekmsKeyId(s.kmsKeyId());
            }
        }
        retainUntil.ifPresent(until -> cb.objectLockMode(s.lockMode()).objectLockRetainUntilDate(until));
        CreateMultipartUploadRequest create = cb.build();
        Op op = retainUntil.isPresent() ? Op.RETENTION : Op.MULTIPART;
        String uploadId = s.retryPolicy().call("create multipart upload", location, () -> {
            try {
                return s.client().createMultipartUpload(create).uploadId();
            } catch (SdkException | UncheckedIOException e) {
                throw S3Errors.translate(op, s.bucket(), location, s.region(), e);
            }
        });
        LOG.debug("started multipart upload of {} (part size {} bytes, {} in flight, {} bytes of buffers at most)",
                location, basePartSize, s.partsInFlight(), s.uploadMemory());
        Parts parts = new Parts(uploadId, pool);
        try {
            boolean stored = parts.uploadAll(data, first);
            if (!stored) {
                abort(uploadId, null);
            }
            return stored;
        } catch (RuntimeException | Error e) {
            abort(uploadId, e);
            throw e;
        }
    }

    private void abort(String uploadId, Throwable failure) {
        // An interrupted thread cannot send the abort (the SDK gives up at once): clear the flag for the
        // abort, and restore it afterwards.
        boolean interrupted = Thread.interrupted();
        try {
            s.retryPolicy().run("abort multipart upload", location, () -> {
                try {
                    s.client().abortMultipartUpload(r -> r.bucket(s.bucket()).key(key).uploadId(uploadId));
                } catch (S3Exception e) {
                    if (e.statusCode() == 404) {
                        return; // already gone
                    }
                    throw S3Errors.translate(Op.ABORT, s.bucket(), location, s.region(), e);
                } catch (SdkException | UncheckedIOException e) {
                    throw S3Errors.translate(Op.ABORT, s.bucket(), location, s.region(), e);
                }
            });
            LOG.debug("aborted multipart upload of {}", location);
        } catch (BackupException abortFailure) {
            if (failure != null) {
                failure.addSuppressed(abortFailure);
            }
            LOG.warn("could not abort multipart upload {} of {}: {}; a bucket lifecycle rule"
                    + " (AbortIncompleteMultipartUpload) will remove it", uploadId, location, abortFailure.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The parts of one multipart upload. */
    private final class Parts {
        private final String uploadId;
        private final UploadMemory.Pool pool;
        private final AtomicReference<BackupException> failed = new AtomicReference<>();
        private final List<Future<CompletedPart>> futures = new ArrayList<>();

        Parts(String uploadId, UploadMemory.Pool pool) {
            this.uploadId = uploadId;
            this.pool = pool;
        }

        boolean uploadAll(InputStream data, byte[] first) {
            try {
                submit(1, first, first.length);
                int partNumber = 1;
                while (true) {
                    partNumber++;
                    long size = partSize(basePartSize, partNumber, maxPartSize);
                    if (partNumber > MAX_PARTS) {
                        throw new BackupException(CoreErrorCode.STORAGE_FAILED, "upload to " + location
                                + " exceeds S3's " + MAX_PARTS + " parts of at most " + maxPartSize
                                + " bytes: raise uploadMemory(..) (parts grow up to it), or partSize(..)", null, false);
                    }
                    byte[] buf = take(pool, (int) size, failed::get);
                    int n;
                    try {
                        n = readFully(data, buf, 0, (int) size);
                    } catch (RuntimeException e) {
                        release(buf);
                        throw e;
                    }
                    if (n == 0) {
                        release(buf);
                        break;
                    }
                    submit(partNumber, buf, n);
                    if (n < size) {
                        break;
                    }
                }
                List<CompletedPart> done = awaitAll();
                return complete(done);
            } catch (RuntimeException | Error e) {
                // Stop the parts not yet started, and wait for those in flight, before the caller aborts:
                // a part still uploading while the upload is aborted could otherwise survive the abort.
                failed.compareAndSet(null, e instanceof BackupException b ? b
                        : new BackupException(CoreErrorCode.INTERNAL, "upload to " + location + " failed", e, false));
                awaitQuietly();
                throw e;
            }
        }

        private void release(byte[] buf) {
            pool.give(buf);
        }

        private void submit(int partNumber, byte[] buf, int len) {
            try {
                futures.add(s.executor().submit(() -> {
                    try {
                        if (failed.get() != null) {
                            return null;
                        }
                        return uploadPart(partNumber, buf, len);
                    } catch (BackupException e) {
                        failed.compareAndSet(null, e);
                        throw e;
                    } catch (RuntimeException e) {
                        BackupException b = new BackupException(CoreErrorCode.INTERNAL, "uploading part " + partNumber
                                + " of " + location + " failed", e, false);
                        failed.compareAndSet(null, b);
                        throw b;
                    } finally {
                        release(buf);
                    }
                }));
            } catch (RejectedExecutionException e) {
                release(buf);
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "upload to " + location
                        + " failed: the storage was closed", e, false);
            }
        }

        private CompletedPart uploadPart(int partNumber, byte[] buf, int len) {
            return s.retryPolicy().call("upload part " + partNumber, location, () -> {
                try {
                    UploadPartResponse r = s.client().uploadPart(p -> p.bucket(s.bucket()).key(key).uploadId(uploadId)
                            .partNumber(partNumber).contentLength((long) len).checksumAlgorithm(s.checksum()), body(buf, len));
                    return CompletedPart.builder().partNumber(partNumber).eTag(r.eTag())
                            .checksumCRC32(r.checksumCRC32()).checksumCRC32C(r.checksumCRC32C())
                            .checksumSHA256(r.checksumSHA256()).checksumSHA1(r.checksumSHA1())
                            .checksumCRC64NVME(r.checksumCRC64NVME()).build();
                } catch (SdkException | UncheckedIOException e) {
                    throw S3Errors.translate(Op.MULTIPART, s.bucket(), location + " (part " + partNumber + ")",
                            s.region(), e);
                }
            });
        }

        private List<CompletedPart> awaitAll() {
            List<CompletedPart> done = new ArrayList<>(futures.size());
            for (Future<CompletedPart> f : futures) {
                try {
                    done.add(f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BackupException(CoreErrorCode.INTERRUPTED, "upload to " + location + " was interrupted", e, false);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    throw c instanceof BackupException b ? b
                            : new BackupException(CoreErrorCode.INTERNAL, "upload to " + location + " failed", c, false);
                }
            }
            BackupException f = failed.get();
            if (f != null) {
                throw f;
            }
            done.sort(Comparator.comparingInt(CompletedPart::partNumber));
            return done;
        }

        /** Waits for every submitted part to finish (they skip their work once a failure is recorded). */
        private void awaitQuietly() {
            boolean interrupted = false;
            for (Future<CompletedPart> f : futures) {
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                        break;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private boolean complete(List<CompletedPart> done) {
            return s.retryPolicy().call("complete multipart upload", location, () -> {
                try {
                    s.client().completeMultipartUpload(c -> {
                        c.bucket(s.bucket()).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(done));
                        if (ifNoneMatch) {
                            c.ifNoneMatch("*");
                        }
                    });
                    LOG.debug("completed multipart upload of {} in {} parts", location, done.size());
                    return true;
                } catch (S3Exception e) {
                    if (ifNoneMatch && e.statusCode() == 412) {
                        return false;
                    }
                    throw S3Errors.translate(Op.MULTIPART, s.bucket(), location, s.region(), e);
                } catch (SdkException | UncheckedIOException e) {
                    throw S3Errors.translate(Op.MULTIPART, s.bucket(), location, s.region(), e);
                }
            });
        }
    }
}
