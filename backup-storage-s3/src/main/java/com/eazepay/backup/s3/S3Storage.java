package com.eazepay.backup.s3;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.Secret;
import com.eazepay.backup.s3.internal.DaemonThreads;
import com.eazepay.backup.s3.internal.ResumingObjectStream;
import com.eazepay.backup.s3.internal.S3Errors;
import com.eazepay.backup.s3.internal.S3Errors.Op;
import com.eazepay.backup.s3.internal.StreamingUpload;
import com.eazepay.backup.spi.BatchDelete;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.LegalHolds;
import com.eazepay.backup.spi.ObjectLock;
import com.eazepay.backup.spi.ConfigurationProblems;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectLockConfigurationResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link StorageTarget} on Amazon S3 or an S3-compatible store (MinIO, Ceph RGW), using the AWS SDK
 * for Java v2 with its synchronous client and the Apache HTTP client.
 *
 * <pre>{@code
 * StorageTarget primary = S3Storage.bucket("eazepay-backups").region("us-east-1").prefix("prod/")
 *         .storageClass("STANDARD").sseS3().build();
 * StorageTarget replica = S3Storage.bucket("eazepay-backups-dr").region("us-west-2").prefix("prod/")
 *         .storageClass("STANDARD_IA").sseKms("arn:aws:kms:us-west-2:111122223333:key/...").build();
 * StorageTarget minio = S3Storage.bucket("backups").endpoint(URI.create("http://minio:9000")).pathStyle(true)
 *         .credentials("backup", Secret.of(System.getenv("MINIO_SECRET"))).sseNone().build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Uploads</b> of unknown length stream as multipart uploads in fixed-size parts (default
 *       {@value #DEFAULT_PART_SIZE_MIB} MiB) with at most {@link Builder#partsInFlight partsInFlight}
 *       parts in memory and in flight, each with a {@link ChecksumAlgorithm#CRC32} (or configured)
 *       checksum and its own retries. Any failure, including the input stream throwing, aborts the
 *       multipart upload: nothing partial becomes visible and no orphan upload remains. Part buffers of one
 *       upload never exceed {@link Builder#uploadMemory uploadMemory} bytes (parts grow, fewer fly). A stream
 *       shorter than one part, and any small object, is sent with one {@code PutObject}.</li>
 *   <li><b>Reads</b> stream the object ({@code GetObject}, with a {@code Range} header for ranged reads). When the
 *       connection drops mid-object the read resumes where it stopped with a ranged {@code GetObject} pinned to
 *       the object's ETag ({@code If-Match}), at most {@link Builder#readResumes readResumes} times; closing a
 *       stream before its end aborts the response instead of downloading the rest.</li>
 *   <li><b>Listing</b> pages through {@code ListObjectsV2}, retrying each page on its own (so no key is
 *       reported twice); keys are reported relative to the prefix.</li>
 *   <li><b>putIfAbsent</b> sends {@code If-None-Match: *}; S3 answers 412 when the key exists.</li>
 *   <li><b>Encryption at rest</b>: SSE-S3 (AES256) by default, SSE-KMS with {@link Builder#sseKms}.</li>
 *   <li><b>Object Lock</b>: with {@link Builder#objectLock}, a put whose {@link PutOptions#retainUntil()}
 *       is set sends the lock mode and retain-until date; the bucket's Object Lock configuration is
 *       checked once, at the first such put, and a bucket without Object Lock fails with a clear message.</li>
 * </ul>
 *
 * <p><b>Retries</b> go through the configured {@link RetryPolicy} per small request and per part; the
 * SDK's own retries are switched off on clients this class creates, so nothing is retried twice. A
 * client passed to {@link #from(S3Client, String)} keeps its own retry settings (configure it with
 * {@code AwsRetryStrategy.doNotRetry()} to avoid retrying twice).
 *
 * <p><b>Errors</b> ({@link BackupException}): {@code NOT_FOUND} (no such key); {@code STORAGE_FAILED}
 * (missing bucket, access denied naming the IAM action, wrong region naming the right one, rejected
 * credentials, Object Lock not configured); {@code STORAGE_THROTTLED} (503 SlowDown, retryable);
 * {@code STORAGE_UNAVAILABLE} (network errors and 5xx, retryable); {@code SOURCE_FAILED} when reading the
 * data to upload fails; {@code INVALID_CONFIGURATION} from {@link Builder#build()}.
 *
 * <p><b>Credentials</b> come from {@link Builder#credentials} or the SDK's default provider chain; they
 * never appear in {@link #describe()}, {@link #toString()}, logs or exception messages.
 *
 * <p>Thread-safe: concurrent calls on different keys are fine. {@link #close()} shuts down the upload
 * threads and closes the client if this class created it.
 */
public final class S3Storage implements StorageTarget {

    private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);

    /** Default part size in MiB: {@value}. */
    public static final int DEFAULT_PART_SIZE_MIB = 16;
    /** Default part size in bytes: 16 MiB. */
    public static final long DEFAULT_PART_SIZE = DEFAULT_PART_SIZE_MIB * 1024L * 1024;
    /** Default number of parts uploading at once per upload: {@value}. */
    public static final int DEFAULT_PARTS_IN_FLIGHT = 4;
    /** Default slowest link the timeouts are scaled for, in bytes per second: 1 MiB/s. */
    public static final long DEFAULT_MINIMUM_BANDWIDTH = 1024 * 1024;
    /** Default socket (read) timeout floor of clients this class creates: 60 s (see {@link Builder#socketTimeout}). */
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(60);
    /** Default connect timeout of clients this class creates: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default number of times one read resumes after a connection reset: {@value}. */
    public static final int DEFAULT_READ_RESUMES = 5;
    private static final int DELETE_BATCH = 1000;

    private final S3Client client;
    private final boolean ownsClient;
    private final String bucket;
    private final String prefix;
    private final String region;
    private final StorageClass storageClass;
    private final ServerSideEncryption sse;
    private final String kmsKeyId;
    private final ObjectLockMode lockMode;
    private final RetryPolicy retryPolicy;
    private final int readResumes;
    private final ThreadPoolExecutor executor;
    private final StreamingUpload.Settings uploadSettings;
    private final AtomicBoolean objectLockChecked = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong maxUploadBuffered = new AtomicLong();

    private S3Storage(Builder b, S3Client client, boolean ownsClient, String region) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.bucket = b.bucket;
        this.prefix = b.prefix;
        this.region = region;
        this.storageClass = StorageClass.fromValue(b.storageClass);
        this.sse = b.sse;
        this.kmsKeyId = b.kmsKeyId;
        this.lockMode = b.lockMode;
        this.retryPolicy = b.retryPolicy;
        this.readResumes = b.readResumes;
        this.executor = new ThreadPoolExecutor(b.partsInFlight, b.partsInFlight, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DaemonThreads("s3-upload-" + bucket));
        this.executor.allowCoreThreadTimeOut(true);
        this.uploadSettings = new StreamingUpload.Settings(client, bucket, region, storageClass, sse, kmsKeyId, lockMode,
                b.checksum, b.partSize, b.partsInFlight, b.effectiveUploadMemory(), executor, retryPolicy,
                bytes -> maxUploadBuffered.accumulateAndGet(bytes, Math::max));
    }

    /** Starts a builder for a storage on {@code bucket}; the client is created (and closed) by the storage. */
    public static Builder bucket(String bucket) {
        return new Builder(Objects.requireNonNull(bucket, "bucket"), null);
    }

    /**
     * Starts a builder that uses {@code client}, which the storage never closes. Region, endpoint,
     * path style and credentials are the client's; setting them on the builder is an error.
     */
    public static Builder from(S3Client client, String bucket) {
        return new Builder(Objects.requireNonNull(bucket, "bucket"), Objects.requireNonNull(client, "client"));
    }

    /** {@code s3://bucket/prefix}: no credentials, no endpoint secrets. */
    /**
     * {@link ObjectLock} and {@link LegalHolds} only when built with {@code objectLock(..)} (puts with a
     * retain-until date are then locked); {@link BatchDelete} always ({@link #deleteAll}).
     */
    @Override
    public <C> Optional<C> capability(Class<C> type) {
        if (type == ObjectLock.class) {
            return lockMode == null ? Optional.empty()
                    : Optional.of(type.cast((ObjectLock) () -> "S3 Object Lock " + lockMode));
        }
        if (type == LegalHolds.class) {
            return lockMode == null ? Optional.empty()
                    : Optional.of(type.cast((LegalHolds) this::setLegalHold));
        }
        return type == BatchDelete.class ? Optional.of(type.cast((BatchDelete) this::deleteAll)) : Optional.empty();
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    /**
     * Sets ({@code PutObjectLegalHold} ON) or lifts (OFF) the S3 Object Lock legal hold of one object. Legal
     * holds exist only on buckets with Object Lock, so only a storage built with {@link Builder#objectLock} does
     * this (the {@link LegalHolds} capability); for others {@link #legalHold} answers {@code false} (the
     * engine's hold marker then is the only hold).
     *
     * @throws BackupException {@code STORAGE_FAILED} naming {@code s3:PutObjectLegalHold} when refused
     */
    private void setLegalHold(String key, boolean hold) {
        String full = fullKey(key);
        ObjectLockLegalHoldStatus status = hold ? ObjectLockLegalHoldStatus.ON : ObjectLockLegalHoldStatus.OFF;
        retryPolicy.run("legal hold", location(key), () -> {
            try {
                client.putObjectLegalHold(b -> b.bucket(bucket).key(full).legalHold(h -> h.status(status)));
            } catch (SdkException | UncheckedIOException e) {
                throw S3Errors.translate(Op.LEGAL_HOLD, bucket, location(key), region, e);
            }
        });
    }

    /** The most bytes of part buffers one upload of this storage held at once so far (for tests and metrics). */
    long maxUploadBufferedBytes() {
        return maxUploadBuffered.get();
    }

    /** The bucket. */
    public String bucketName() {
        return bucket;
    }

    /** The key prefix, empty or ending in {@code /}. */
    public String prefix() {
        return prefix;
    }

    private String fullKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("invalid storage key '" + key + "': must be a relative path with / separators");
        }
        return prefix + key;
    }

    private String location(String key) {
        return "s3://" + bucket + "/" + prefix + key;
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        upload(key, data, options, false);
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        return upload(key, data, options, true);
    }

    private boolean upload(String key, InputStream data, PutOptions options, boolean ifNoneMatch) {
        String full = fullKey(key);
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(options, "options");
        if (options.retainUntil().isPresent()) {
            checkObjectLock(key);
        }
        StreamingUpload upload = new StreamingUpload(uploadSettings, full, location(key), options.contentType(),
                options.contentLength(), options.retainUntil(), ifNoneMatch, options.dataObject());
        try {
            return upload.run(data);
        } catch (BackupException e) {
            throw objectLockHint(e, options.retainUntil());
        }
    }

    private BackupException objectLockHint(BackupException e, Optional<Instant> retainUntil) {
        if (retainUntil.isPresent() && e.getCause() instanceof S3Exception s3 && s3.statusCode() == 400
                && s3.awsErrorDetails() != null && String.valueOf(s3.awsErrorDetails().errorMessage()).contains("Object Lock")) {
            return noObjectLock(s3);
        }
        return e;
    }

    private BackupException noObjectLock(Throwable cause) {
        return new BackupException(CoreErrorCode.STORAGE_FAILED, "bucket '" + bucket + "' has no Object Lock configuration,"
                + " so retention cannot be set: create the bucket with Object Lock enabled"
                + " (aws s3api create-bucket --bucket " + bucket + " --object-lock-enabled-for-bucket) or remove objectLock(..)"
                + " and PutOptions.retainUntil", cause, false);
    }

    private void checkObjectLock(String key) {
        if (lockMode == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "put " + location(key)
                    + " asks for a retain-until date but this S3Storage has no Object Lock mode: call"
                    + " objectLock(ObjectLockMode.GOVERNANCE) or objectLock(ObjectLockMode.COMPLIANCE)");
        }
        if (objectLockChecked.get()) {
            return;
        }
        GetObjectLockConfigurationResponse r;
        try {
            r = retryPolicy.call("get object lock configuration", describe(),
                    () -> {
                        try {
                            return client.getObjectLockConfiguration(b -> b.bucket(bucket));
                        } catch (S3Exception e) {
                            if (e.statusCode() == 404 && e.awsErrorDetails() != null
                                    && "ObjectLockConfigurationNotFoundError".equals(e.awsErrorDetails().errorCode())) {
                                throw noObjectLock(e);
                            }
                            if (e.statusCode() == 501) {
                                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "the S3 endpoint of bucket '" + bucket
                                        + "' does not support Object Lock (HTTP 501 NotImplemented): remove objectLock(..)"
                                        + " and PutOptions.retainUntil, or use a store that supports Object Lock", e, false);
                            }
                            throw S3Errors.translate(Op.OBJECT_LOCK_CHECK, bucket, "s3://" + bucket, region, e);
                        } catch (SdkException | UncheckedIOException e) {
                            throw S3Errors.translate(Op.OBJECT_LOCK_CHECK, bucket, "s3://" + bucket, region, e);
                        }
                    });
        } catch (BackupException e) {
            throw e;
        }
        if (r.objectLockConfiguration() == null || r.objectLockConfiguration().objectLockEnabled() != ObjectLockEnabled.ENABLED) {
            throw noObjectLock(null);
        }
        objectLockChecked.set(true);
    }

    @Override
    public InputStream get(String key) {
        return get(key, ByteRange.from(0));
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        String full = fullKey(key);
        Objects.requireNonNull(range, "range");
        if (range.length() == 0) {
            if (stat(key).isEmpty()) {
                throw new BackupException(CoreErrorCode.NOT_FOUND, "no object " + location(key));
            }
            return InputStream.nullInputStream();
        }
        GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(bucket).key(full);
        if (range.offset() > 0 || !range.toEnd()) {
            req.range("bytes=" + range.offset() + "-" + (range.toEnd() ? "" : String.valueOf(range.offset() + range.length() - 1)));
        }
        GetObjectRequest request = req.build();
        ResponseInputStream<GetObjectResponse> first = retryPolicy.call("get", location(key), () -> {
            try {
                return client.getObject(request);
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    // The range starts at or past the end of an existing object: an empty read.
                    return null;
                }
                throw S3Errors.translate(Op.GET, bucket, location(key), region, e);
            } catch (SdkException | UncheckedIOException e) {
                throw S3Errors.translate(Op.GET, bucket, location(key), region, e);
            }
        });
        if (first == null) {
            return InputStream.nullInputStream();
        }
        return new ResumingObjectStream(first, range.offset(), location(key), readResumes,
                (from, to, eTag) -> resume(full, key, from, to, eTag));
    }

    private ResponseInputStream<GetObjectResponse> resume(String full, String key, long from, long to, String eTag) {
        GetObjectRequest request = GetObjectRequest.builder().bucket(bucket).key(full).range("bytes=" + from + "-" + to)
                .ifMatch(eTag).build();
        return retryPolicy.call("resume get", location(key), () -> {
            try {
                return client.getObject(request);
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    throw new BackupException(CoreErrorCode.STORAGE_FAILED, location(key) + " changed while it was"
                            + " being read (its ETag is no longer " + eTag + "): read it again", e, false);
                }
                throw S3Errors.translate(Op.GET, bucket, location(key), region, e);
            } catch (SdkException | UncheckedIOException e) {
                throw S3Errors.translate(Op.GET, bucket, location(key), region, e);
            }
        });
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        String full = fullKey(key);
        return retryPolicy.call("stat", location(key), () -> {
            try {
                HeadObjectResponse r = client.headObject(b -> b.bucket(bucket).key(full));
                return Optional.of(new ObjectInfo(key, r.contentLength(),
                        r.lastModified() == null ? Instant.EPOCH : r.lastModified()));
            } catch (S3Exception e) {
                if (e.statusCode() == 404 && (e.awsErrorDetails() == null || !"NoSuchBucket".equals(e.awsErrorDetails().errorCode()))) {
                    return Optional.empty();
                }
                throw S3Errors.translate(Op.STAT, bucket, location(key), region, e);
            } catch (SdkException | UncheckedIOException e) {
                throw S3Errors.translate(Op.STAT, bucket, location(key), region, e);
            }
        });
    }

    @Override
    public void list(String listPrefix, ListVisitor visitor) {
        Objects.requireNonNull(listPrefix, "prefix");
        Objects.requireNonNull(visitor, "visitor");
        String full = prefix + listPrefix;
        String where = describe() + listPrefix;
        // Page by page, each page retried on its own: a retry never reports a key twice.
        String token = null;
        do {
            String pageToken = token;
            ListObjectsV2Response page = retryPolicy.call("list", where, () -> {
                try {
                    return client.listObjectsV2(b -> b.bucket(bucket).prefix(full).continuationToken(pageToken));
                } catch (SdkException | UncheckedIOException e) {
                    throw S3Errors.translate(Op.LIST, bucket, where, region, e);
                }
            });
            for (S3Object o : page.contents()) {
                visitor.visit(new ObjectInfo(o.key().substring(prefix.length()), o.size() == null ? 0 : o.size(),
                        o.lastModified() == null ? Instant.EPOCH : o.lastModified()));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
    }

    @Override
    public void delete(String key) {
        String full = fullKey(key);
        retryPolicy.run("delete", location(key), () -> {
            try {
                client.deleteObject(b -> b.bucket(bucket).key(full));
            } catch (S3Exception e) {
                if (e.statusCode() == 404 && (e.awsErrorDetails() == null || "NoSuchKey".equals(e.awsErrorDetails().errorCode()))) {
                    return;
                }
                throw S3Errors.translate(Op.DELETE, bucket, location(key), region, e);
            } catch (SdkException | UncheckedIOException e) {
                throw S3Errors.translate(Op.DELETE, bucket, location(key), region, e);
            }
        });
    }

    /**
     * Deletes many keys with {@code DeleteObjects}, 1,000 per request. Missing keys are not errors.
     *
     * @throws BackupException {@code STORAGE_FAILED} naming the keys S3 refused to delete (and why), after
     *                         every batch was tried
     */
    public void deleteAll(Collection<String> keys) {
        Objects.requireNonNull(keys, "keys");
        List<String> all = new ArrayList<>(new TreeSet<>(keys));
        List<String> failures = new ArrayList<>();
        for (int from = 0; from < all.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = all.subList(from, Math.min(all.size(), from + DELETE_BATCH)).stream()
                    .map(k -> ObjectIdentifier.builder().key(fullKey(k)).build()).toList();
            DeleteObjectsResponse r = retryPolicy.call("delete " + batch.size() + " objects", describe(), () -> {
                try {
                    return client.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(batch).quiet(true).build()));
                } catch (SdkException | UncheckedIOException e) {
                    throw S3Errors.translate(Op.DELETE, bucket, describe(), region, e);
                }
            });
            for (S3Error err : r.errors()) {
                if (!"NoSuchKey".equals(err.code())) {
                    failures.add(err.key().substring(prefix.length()) + " (" + err.code() + ")");
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "could not delete " + failures.size() + " object(s) in "
                    + describe() + ": " + String.join(", ", failures.subList(0, Math.min(20, failures.size())))
                    + (failures.size() > 20 ? ", ..." : ""));
        }
    }

    /** Shuts down the upload threads and closes the client if this storage created it. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "S3Storage[" + describe() + ", region=" + region + ", storageClass=" + storageClass
                + ", sse=" + (sse == null ? "none" : sse) + (lockMode == null ? "" : ", objectLock=" + lockMode) + "]";
    }

    /**
     * Configures an {@link S3Storage}. Setters reject bad single values at once; {@link #build()} checks
     * the combination and reports every problem in one {@code INVALID_CONFIGURATION} exception.
     */
    public static final class Builder {
        private final String bucket;
        private final S3Client client;
        private String region;
        private String prefix = "";
        private String storageClass = "STANDARD";
        private ServerSideEncryption sse = ServerSideEncryption.AES256;
        private String kmsKeyId;
        private ObjectLockMode lockMode;
        private URI endpoint;
        private Boolean pathStyle;
        private AwsCredentialsProvider credentials;
        private long partSize = DEFAULT_PART_SIZE;
        private int partsInFlight = DEFAULT_PARTS_IN_FLIGHT;
        private long uploadMemory = -1;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private ChecksumAlgorithm checksum = ChecksumAlgorithm.CRC32;
        private int readResumes = DEFAULT_READ_RESUMES;
        private Duration socketTimeout = DEFAULT_SOCKET_TIMEOUT;
        private long minimumBandwidth = DEFAULT_MINIMUM_BANDWIDTH;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

        private final ConfigurationProblems settings = ConfigurationProblems.of("S3Storage");

        private Builder(String bucket, S3Client client) {
            this.bucket = bucket;
            this.client = client;
        }

        /** The bucket's region, e.g. {@code us-east-1}. Default: the SDK's region chain ({@code AWS_REGION}, profile), or {@code us-east-1} with an {@link #endpoint}. */
        public Builder region(String region) {
            settings.once("region");
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /** Key prefix for every object, e.g. {@code prod/}; a missing trailing {@code /} is added. Default: none. */
        public Builder prefix(String prefix) {
            settings.once("prefix");
            Objects.requireNonNull(prefix, "prefix");
            if (prefix.startsWith("/")) {
                throw new IllegalArgumentException("prefix must not start with '/', was '" + prefix + "'");
            }
            this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
            return this;
        }

        /**
         * The S3 storage class of the backups' data objects ({@link PutOptions#dataObject()}), e.g. {@code STANDARD_IA},
         * {@code GLACIER_IR}. Checked by {@link #build()}. Bookkeeping objects (manifests, locks, pins, holds,
         * reports, repository.json) always use the bucket's default class (STANDARD): an archive class would make
         * them unreadable, an infrequent-access class would bill short-lived locks for 30 days. Default {@code STANDARD}.
         */
        public Builder storageClass(String storageClass) {
            settings.once("storageClass");
            this.storageClass = Objects.requireNonNull(storageClass, "storageClass");
            return this;
        }

        /** Server-side encryption with S3-managed keys (AES256). The default. */
        public Builder sseS3() {
            settings.once("serverSideEncryption");
            this.sse = ServerSideEncryption.AES256;
            this.kmsKeyId = null;
            return this;
        }

        /** Server-side encryption with the KMS key {@code keyId} (id, alias or ARN). */
        public Builder sseKms(String keyId) {
            settings.once("serverSideEncryption");
            this.kmsKeyId = Objects.requireNonNull(keyId, "keyId");
            if (keyId.isBlank()) {
                throw new IllegalArgumentException("keyId must not be blank");
            }
            this.sse = ServerSideEncryption.AWS_KMS;
            return this;
        }

        /** Sends no server-side encryption header (the bucket default applies): for stores without SSE such as MinIO without KMS. */
        public Builder sseNone() {
            settings.once("serverSideEncryption");
            this.sse = null;
            this.kmsKeyId = null;
            return this;
        }

        /** Object Lock mode used when a put carries {@link PutOptions#retainUntil()}. Default: none (such puts fail). */
        public Builder objectLock(ObjectLockMode mode) {
            settings.once("objectLock");
            Objects.requireNonNull(mode, "mode");
            if (mode == ObjectLockMode.UNKNOWN_TO_SDK_VERSION) {
                throw new IllegalArgumentException("mode must be GOVERNANCE or COMPLIANCE");
            }
            this.lockMode = mode;
            return this;
        }

        /** A custom endpoint (MinIO, Ceph, S3Proxy, a VPC endpoint). Default: AWS's endpoint for the region. */
        public Builder endpoint(URI endpoint) {
            settings.once("endpoint");
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** Path-style addressing ({@code host/bucket/key}), needed by most non-AWS stores. Default {@code false}. */
        public Builder pathStyle(boolean pathStyle) {
            settings.once("pathStyle");
            this.pathStyle = pathStyle;
            return this;
        }

        /** Where credentials come from. Default: the SDK's default chain (environment, profile, container/instance role). */
        public Builder credentials(AwsCredentialsProvider provider) {
            settings.once("credentials");
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** Static credentials (for MinIO/Ceph users); the secret is only handed to the SDK's signer. */
        public Builder credentials(String accessKeyId, Secret secretAccessKey) {
            settings.once("credentials");
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            this.credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey.reveal()));
            return this;
        }

        /**
         * First part size of multipart uploads in bytes, ≥ 5 MiB and ≤ 1 GiB. Default 16 MiB. Parts double every
         * 1,000 parts, up to {@link #uploadMemory(long) uploadMemory}.
         */
        public Builder partSize(long bytes) {
            settings.once("partSize");
            if (bytes < StreamingUpload.MIN_PART_SIZE || bytes > StreamingUpload.MAX_PART_SIZE) {
                throw new IllegalArgumentException("partSize must be between 5 MiB (5242880) and 1 GiB (1073741824) bytes, was " + bytes);
            }
            this.partSize = bytes;
            return this;
        }

        /**
         * The memory budget of one upload: bytes of part buffers (being read, queued or uploading) held at once,
         * ≥ partSize. As parts grow (they double every 1,000 parts, up to this budget) fewer are in flight, so
         * memory never grows with the stream; the largest stream of unknown length is about 10,000 × budget
         * (547 GiB with the defaults). Default partsInFlight × partSize (64 MiB).
         */
        public Builder uploadMemory(long bytes) {
            settings.once("uploadMemory");
            if (bytes < StreamingUpload.MIN_PART_SIZE) {
                throw new IllegalArgumentException("uploadMemory must be at least 5 MiB (5242880) bytes, was " + bytes);
            }
            this.uploadMemory = bytes;
            return this;
        }

        long effectiveUploadMemory() {
            return uploadMemory > 0 ? uploadMemory : partsInFlight * partSize;
        }

        /**
         * Parts uploading at once per upload, 1 to 64, as far as {@link #uploadMemory(long) uploadMemory} allows.
         * Default {@value S3Storage#DEFAULT_PARTS_IN_FLIGHT}.
         */
        public Builder partsInFlight(int n) {
            settings.once("partsInFlight");
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("partsInFlight must be between 1 and 64, was " + n);
            }
            this.partsInFlight = n;
            return this;
        }

        /** Retries per request and per part. Default {@link RetryPolicy#defaults()}. */
        public Builder retryPolicy(RetryPolicy policy) {
            settings.once("retryPolicy");
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Checksum sent with every part and single put: CRC32 (default), CRC32_C, SHA1 or SHA256. */
        public Builder checksum(ChecksumAlgorithm algorithm) {
            settings.once("checksum");
            Objects.requireNonNull(algorithm, "algorithm");
            if (algorithm == ChecksumAlgorithm.UNKNOWN_TO_SDK_VERSION || algorithm == ChecksumAlgorithm.CRC64_NVME) {
                throw new IllegalArgumentException("checksum must be CRC32, CRC32_C, SHA1 or SHA256, was " + algorithm);
            }
            this.checksum = algorithm;
            return this;
        }

        /**
         * How many times one read ({@link S3Storage#get}) resumes after the connection dropped mid-object, with
         * a ranged {@code GetObject} pinned to the object's ETag; 0 to 100. Beyond that the read fails with an
         * {@link java.io.IOException}. Default {@value S3Storage#DEFAULT_READ_RESUMES}.
         */
        public Builder readResumes(int n) {
            settings.once("readResumes");
            if (n < 0 || n > 100) {
                throw new IllegalArgumentException("readResumes must be between 0 and 100, was " + n);
            }
            this.readResumes = n;
            return this;
        }

        /**
         * The slowest link to S3 the timeouts must survive, in bytes per second shared by all parts in flight,
         * &gt; 0. The socket timeout is scaled from it (see {@link #socketTimeout}). Default 1 MiB/s.
         */
        public Builder minimumBandwidth(long bytesPerSecond) {
            settings.once("minimumBandwidth");
            if (bytesPerSecond <= 0) {
                throw new IllegalArgumentException("minimumBandwidth must be > 0 bytes per second, was " + bytesPerSecond);
            }
            this.minimumBandwidth = bytesPerSecond;
            return this;
        }

        /**
         * The socket (read) timeout the client this builder creates uses: at least {@code floor}, and at least
         * twice the time to send the parts in flight (which share the link) at the minimum bandwidth:
         * {@code max(socketTimeout, 2 × uploadMemory / minimumBandwidth)}. With the defaults (64 MiB at
         * 1 MiB/s) 128 s; at 100 KB/s, 22 minutes (or lower {@code uploadMemory}: 20 MiB → 7 minutes).
         */
        public Duration effectiveSocketTimeout() {
            // the bytes of all parts in flight share the link: one part's response may wait for all of them
            long scaledMillis = 2L * effectiveUploadMemory() * 1000 / minimumBandwidth;
            return socketTimeout.compareTo(Duration.ofMillis(scaledMillis)) >= 0 ? socketTimeout : Duration.ofMillis(scaledMillis);
        }

        /** Floor of the read timeout of the client this builder creates, > 0 (see {@link #effectiveSocketTimeout()}). Default 60 s. */
        public Builder socketTimeout(Duration timeout) {
            settings.once("socketTimeout");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("socketTimeout must be > 0, was " + timeout);
            }
            this.socketTimeout = timeout;
            return this;
        }

        /** Connect timeout of the client this builder creates, > 0. Default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            settings.once("connectTimeout");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("connectTimeout must be > 0, was " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Checks the configuration and builds the storage. Nothing is sent to S3 here.
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem
         */
        public S3Storage build() {
            List<String> problems = new ArrayList<>();
            if (bucket.isBlank()) {
                problems.add("bucket name is blank");
            }
            if (StorageClass.fromValue(storageClass) == StorageClass.UNKNOWN_TO_SDK_VERSION) {
                problems.add("unknown storage class '" + storageClass + "': use one of "
                        + new TreeSet<>(StorageClass.knownValues().stream().map(StorageClass::toString).toList()));
            }
            if (uploadMemory > 0 && uploadMemory < partSize) {
                problems.add("uploadMemory(" + uploadMemory + ") is smaller than partSize(" + partSize
                        + "): it must hold at least one part");
            }
            if (client != null && (region != null || endpoint != null || pathStyle != null || credentials != null)) {
                problems.add("region(..), endpoint(..), pathStyle(..) and credentials(..) cannot be combined with"
                        + " S3Storage.from(client, ..): configure the client instead");
            }
            String effectiveRegion = region;
            if (client == null && effectiveRegion == null) {
                if (endpoint != null) {
                    effectiveRegion = "us-east-1";
                } else {
                    try {
                        effectiveRegion = new DefaultAwsRegionProviderChain().getRegion().id();
                    } catch (SdkException | UncheckedIOException e) {
                        problems.add("no region: call region(\"us-east-1\") or set AWS_REGION");
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "S3Storage for bucket '" + bucket
                        + "' is misconfigured: " + String.join("; ", problems));
            }
            if (client != null) {
                Region r = client.serviceClientConfiguration().region();
                return new S3Storage(this, client, false, r == null ? "(client's region)" : r.id());
            }
            S3ClientBuilder b = S3Client.builder()
                    .region(Region.of(effectiveRegion))
                    .httpClient(ApacheHttpClient.builder().socketTimeout(effectiveSocketTimeout())
                            .connectionTimeout(connectTimeout).maxConnections(Math.max(8, 2 * partsInFlight))
                            .build())
                    .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
                    // Our RetryPolicy retries each request and part; SDK retries would multiply attempts.
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
            if (endpoint != null) {
                b.endpointOverride(endpoint);
            }
            if (pathStyle != null) {
                b.forcePathStyle(pathStyle);
            }
            S3Client created = b.build();
            LOG.debug("created S3 client for s3://{}/{} in {} (socket timeout {}){}", bucket, prefix, effectiveRegion,
                    effectiveSocketTimeout(),
                    endpoint == null ? "" : " via " + endpoint.getScheme() + "://" + endpoint.getHost() + ":" + endpoint.getPort());
            return new S3Storage(this, created, true, effectiveRegion);
        }
    }
}
