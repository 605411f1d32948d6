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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One upload of a stream to one S3 key. A stream shorter than the first part is sent as a single
 * {@code PutObject}; anything longer as a multipart upload whose parts are read by the calling thread
 * into at most {@code partsInFlight} buffers and uploaded by the executor, each part with its own
 * checksum and its own retries. On any failure (the input throwing, a part failing after its retries,
 * an interrupt) the multipart upload is aborted, after the parts in flight have finished, so no
 * orphan remains and nothing becomes visible.
 *
 * <p>Memory: at most {@code partsInFlight × partSize} bytes of buffers, plus a 64 KiB probe buffer.
 * The part size doubles every {@value #PARTS_PER_SIZE_STEP} parts (up to {@value #MAX_PART_SIZE}
 * bytes) so a stream of unknown length never needs more than S3's 10,000 parts: with 16 MiB parts,
 * the first 16 GB go in 16 MiB parts, the next 32 GB in 32 MiB parts, and so on.
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
                           ChecksumAlgorithm checksum, long partSize, int partsInFlight,
                           ExecutorService executor, RetryPolicy retryPolicy) {
    }

    private final Settings s;
    private final String key;
    private final String location;
    private final String contentType;
    private final Optional<Instant> retainUntil;
    private final boolean ifNoneMatch;
    private final long basePartSize;

    /**
     * @param key           the full object key (prefix included)
     * @param location      {@code s3://bucket/key}, for messages
     * @param contentLength the declared length or -1; used to pick a part size that fits 10,000 parts
     * @param ifNoneMatch   send {@code If-None-Match: *} (put-if-absent)
     */
    public StreamingUpload(Settings settings, String key, String location, String contentType, long contentLength,
                           Optional<Instant> retainUntil, boolean ifNoneMatch) {
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
        this.basePartSize = Math.min(MAX_PART_SIZE, base);
    }

    /** The size of part {@code partNumber} (1-based). */
    public static long partSize(long base, int partNumber) {
        int doublings = (partNumber - 1) / PARTS_PER_SIZE_STEP;
        long size = base;
        for (int i = 0; i < doublings && size < MAX_PART_SIZE; i++) {
            size *= 2;
        }
        return Math.min(MAX_PART_SIZE, size);
    }

    /**
     * Reads {@code data} to its end and stores it.
     *
     * @return {@code false} only when {@code ifNoneMatch} was requested and an object already existed
     */
    public boolean run(InputStream data) {
        byte[] probe = new byte[(int) Math.min(PROBE, basePartSize)];
        int n = readFully(data, probe, 0, probe.length);
        if (n < probe.length) {
            return singlePut(probe, n);
        }
        byte[] first = new byte[(int) basePartSize];
        System.arraycopy(probe, 0, first, 0, n);
        probe = null;
        int filled = n + readFully(data, first, n, first.length - n);
        if (filled < first.length) {
            return singlePut(first, filled);
        }
        return multipart(data, first);
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
                .storageClass(s.storageClass()).checksumAlgorithm(s.checksum());
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

    private boolean multipart(InputStream data, byte[] first) {
        CreateMultipartUploadRequest.Builder cb = CreateMultipartUploadRequest.builder().bucket(s.bucket()).key(key)
                .contentType(contentType).storageClass(s.storageClass()).checksumAlgorithm(s.checksum());
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
        LOG.debug("started multipart upload of {} (part size {} bytes, {} in flight)", location, basePartSize, s.partsInFlight());
        Parts parts = new Parts(uploadId);
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
        private final Semaphore permits = new Semaphore(s.partsInFlight());
        private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
        private final AtomicReference<BackupException> failed = new AtomicReference<>();
        private final List<Future<CompletedPart>> futures = new ArrayList<>();

        Parts(String uploadId) {
            this.uploadId = uploadId;
        }

        boolean uploadAll(InputStream data, byte[] first) {
            try {
                acquire();
                submit(1, first, first.length);
                int partNumber = 1;
                while (true) {
                    partNumber++;
                    long size = partSize(basePartSize, partNumber);
                    if (partNumber > MAX_PARTS) {
                        throw new BackupException(CoreErrorCode.STORAGE_FAILED, "upload to " + location
                                + " exceeds S3's " + MAX_PARTS + " parts: raise partSize(..)", null, false);
                    }
                    acquire();
                    byte[] buf = buffer(size);
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

        private void acquire() {
            BackupException f = failed.get();
            if (f != null) {
                throw f;
            }
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "upload to " + location + " was interrupted", e, false);
            }
            f = failed.get();
            if (f != null) {
                permits.release();
                throw f;
            }
        }

        private byte[] buffer(long size) {
            byte[] b;
            while ((b = free.poll()) != null) {
                if (b.length == size) {
                    return b;
                }
            }
            return new byte[(int) size];
        }

        private void release(byte[] buf) {
            free.offer(buf);
            permits.release();
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
