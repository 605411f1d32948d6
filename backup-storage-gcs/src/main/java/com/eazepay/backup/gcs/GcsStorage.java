package com.eazepay.backup.gcs;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.gcs.internal.GcsClients;
import com.eazepay.backup.gcs.internal.GcsErrors;
import com.eazepay.backup.gcs.internal.GcsHolds;
import com.eazepay.backup.gcs.internal.ReadChannelInputStream;
import com.eazepay.backup.gcs.internal.ResumableUpload;
import com.eazepay.backup.spi.BatchDelete;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.DeletionGuard;
import com.eazepay.backup.spi.LegalHolds;
import com.eazepay.backup.spi.ObjectLock;
import com.eazepay.backup.spi.ConfigurationProblems;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import com.google.api.gax.paging.Page;
import com.google.auth.Credentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageBatch;
import com.google.cloud.storage.StorageBatchResult;
import com.google.cloud.storage.StorageClass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A {@link StorageTarget} on Google Cloud Storage.
 *
 * <pre>{@code
 * StorageTarget gcs = GcsStorage.bucket("eazepay-backups")
 *     .prefix("prod/")
 *     .storageClass("NEARLINE")
 *     .kmsKeyName("projects/p/locations/us-central1/keyRings/backup/cryptoKeys/backup")
 *     .build();
 * }</pre>
 *
 * <p><b>Uploads</b> ({@code internal.ResumableUpload}) stream through a resumable session in chunks of {@link Builder#chunkSize}
 * bytes (memory: one chunk, a 256 KiB look-ahead and a 64 KiB copy buffer per upload, independent of
 * object size; objects under 256 KiB use a 256 KiB chunk). The
 * object becomes visible only when the session is finalized after the last input byte; if reading
 * the input or uploading fails, the session is abandoned without being finalized, so nothing
 * becomes visible (GCS discards unfinished sessions after a week; they are neither listed nor
 * billed as objects).
 *
 * <p><b>Retries:</b> metadata calls (stat, list pages, delete, opening a read) are retried by the
 * {@link RetryPolicy}. Upload chunks and download reads are retried inside the transfer by the client
 * library (it knows the offset to resume from), with {@link RetryPolicy#maxAttempts()} attempts. A client
 * passed to {@link #from(Storage, String)} keeps its own retry settings, which then apply in addition.
 *
 * <p><b>Holds and retention:</b> {@link Builder#temporaryHold} / {@link Builder#eventBasedHold} set
 * holds on backup data objects written by {@link #put} ({@link PutOptions#dataObject()}; not on
 * {@link #putIfAbsent}, nor on repository bookkeeping such as manifests, leases, pins, hold markers and
 * reports, which must stay deletable). {@link #deletionBlocker(String)} (the {@link DeletionGuard}
 * capability) tells whether an object is held or under retention, so prune skips it instead of
 * failing; deleting such an object fails with {@code STORAGE_FAILED} naming the hold. With object
 * retention on the bucket ({@link Builder#objectRetention}) the storage declares {@link ObjectLock}.
 *
 * <p><b>Capabilities:</b> {@link ObjectLock} (see above), {@link LegalHolds} (temporary hold),
 * {@link DeletionGuard}, {@link BatchDelete}. Do not wrap it in {@code RetryingStorage}: it retries
 * inside (below), and a wrapper would multiply the attempts.
 *
 * <p><b>Credentials</b> come from {@link Builder#credentials} or Application Default Credentials
 * and are never logged nor shown by {@link #toString()} or in exception messages.
 *
 * <p><b>Errors:</b> {@code STORAGE_FAILED} (missing bucket, permission denied naming the IAM
 * permission, precondition failed, invalid request; not retryable), {@code STORAGE_THROTTLED} (429,
 * retryable), {@code STORAGE_UNAVAILABLE} (5xx and network, retryable), {@code NOT_FOUND}.
 *
 * <p>Thread-safe: concurrent calls on different keys are fine. {@link #close()} closes the client
 * only if this target created it.
 */
public final class GcsStorage implements StorageTarget, LegalHolds, DeletionGuard, BatchDelete {

    private static final Logger LOG = LoggerFactory.getLogger(GcsStorage.class);

    /** The upload chunk size granularity required by GCS resumable uploads: 256 KiB. */
    public static final int CHUNK_GRANULARITY = ResumableUpload.CHUNK_GRANULARITY;
    /** Default upload chunk size: 8 MiB. */
    public static final int DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
    /** Default floor of the HTTP read timeout: 20 s (see {@link Builder#readTimeout}). */
    public static final java.time.Duration DEFAULT_READ_TIMEOUT = java.time.Duration.ofSeconds(20);
    /** Default HTTP connect timeout: 20 s. */
    public static final java.time.Duration DEFAULT_CONNECT_TIMEOUT = java.time.Duration.ofSeconds(20);
    /** Default floor of the total retry time of one request or chunk: 50 s (see {@link Builder#retryBudget}). */
    public static final java.time.Duration DEFAULT_RETRY_BUDGET = java.time.Duration.ofSeconds(50);
    /** Default slowest link the timeouts are scaled for: 1 MiB/s. */
    public static final long DEFAULT_MINIMUM_BANDWIDTH = 1024 * 1024;
    /** Storage classes accepted by {@link Builder#storageClass(String)}. */
    public static final List<String> STORAGE_CLASSES = List.of("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE");

    private static final int BATCH_LIMIT = 100;
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

    private final Storage storage;
    private final Storage transferStorage;
    private final boolean ownsClient;
    private final String bucket;
    private final String prefix;
    private final StorageClass storageClass;
    private final String kmsKeyName;
    private final boolean temporaryHold;
    private final boolean eventBasedHold;
    private final int chunkSize;
    private final RetryPolicy retryPolicy;
    private final GcsHolds holds;
    private volatile boolean closed;

    private GcsStorage(Builder b, Storage storage, Storage transferStorage, boolean ownsClient) {
        this.storage = storage;
        this.transferStorage = transferStorage;
        this.ownsClient = ownsClient;
        this.bucket = b.bucket;
        this.prefix = b.prefix;
        this.storageClass = b.storageClass == null ? null : StorageClass.valueOf(b.storageClass);
        this.kmsKeyName = b.kmsKeyName;
        this.temporaryHold = b.temporaryHold;
        this.eventBasedHold = b.eventBasedHold;
        this.chunkSize = b.chunkSize;
        this.retryPolicy = b.retryPolicy;
        this.holds = new GcsHolds(storage, bucket, b.clock, temporaryHold, eventBasedHold, b.lockedRetention,
                b.objectRetention, this::call);
    }

    /** Starts configuring a target on {@code bucket}; the client is created (and closed) by the target. */
    public static Builder bucket(String bucket) {
        return new Builder(Objects.requireNonNull(bucket, "bucket"), null);
    }

    /**
     * Starts configuring a target on {@code bucket} using the caller's client, which the target never
     * closes. Connection settings ({@code credentials}, {@code host}, {@code projectId}) are then
     * rejected by {@code build()}.
     */
    public static Builder from(Storage storage, String bucket) {
        return new Builder(Objects.requireNonNull(bucket, "bucket"), Objects.requireNonNull(storage, "storage"));
    }

    /** {@code gs://bucket/prefix}. */
    @Override
    public String describe() {
        return "gs://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** The bucket name. */
    public String bucketName() {
        return bucket;
    }

    /** The key prefix ({@code ""} or ending in {@code /}). */
    public String prefix() {
        return prefix;
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        upload("put", key, data, options, false);
    }

    /**
     * Atomic through the {@code ifGenerationMatch=0} precondition, checked by GCS when the session
     * starts and again when it is finalized: of concurrent callers exactly one gets {@code true}.
     */
    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        return upload("putIfAbsent", key, data, options, true);
    }

    private boolean upload(String op, String key, InputStream data, PutOptions options, boolean ifAbsent) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(options, "options");
        checkOpen();
        String name = objectName(key);
        String resource = resource(key);
        BlobInfo info = blobInfo(name, key, options, ifAbsent);
        List<Storage.BlobWriteOption> writeOptions = new ArrayList<>();
        if (kmsKeyName != null) {
            writeOptions.add(Storage.BlobWriteOption.kmsKeyName(kmsKeyName));
        }
        if (ifAbsent) {
            writeOptions.add(Storage.BlobWriteOption.doesNotExist());
        }
        String permission = "storage.objects.create";
        return new ResumableUpload(transferStorage, info, writeOptions, chunkSize, op, resource, ifAbsent,
                (e, session) -> session ? explainBlocked("overwrite", key, translate(op, resource, permission, e))
                        : translate(op, resource, permission, e))
                .run(data, options.contentLength());
    }

    private BlobInfo blobInfo(String name, String key, PutOptions options, boolean ifAbsent) {
        BlobInfo.Builder b = BlobInfo.newBuilder(BlobId.of(bucket, name)).setContentType(options.contentType());
        if (storageClass != null && options.dataObject()) {
            // bookkeeping (manifests, leases, pins, holds, reports, repository.json) keeps the bucket's
            // default class: NEARLINE/COLDLINE/ARCHIVE minimum durations would bill every short-lived lease
            b.setStorageClass(storageClass);
        }
        holds.applyOnPut(b, resource(key), options, ifAbsent);
        return b.build();
    }

    /**
     * Sets or releases the GCS temporary hold of one object (what {@code gcloud storage objects update
     * --[no-]temporary-hold} does): a held object cannot be deleted or replaced. A missing object is
     * {@code NOT_FOUND}. The {@link LegalHolds} capability.
     */
    @Override
    public void setLegalHold(String key, boolean hold) {
        checkOpen();
        if (holds.setTemporaryHold(BlobId.of(bucket, objectName(key)), resource(key), hold) == null) {
            throw notFound("legal hold", resource(key));
        }
    }

    /**
     * {@link ObjectLock} when built with {@link Builder#objectRetention(boolean) objectRetention(true)}, or
     * (unless built with {@code objectRetention(false)}) when the bucket has object retention enabled or a
     * retention policy (looked up once with {@code storage.buckets.get}; if that fails: none, logged at WARN). A
     * retain-until date on a bucket with only a retention policy is not sent per object: the policy retains
     * the object, and a date beyond what it covers is refused with {@code INVALID_CONFIGURATION}. {@link LegalHolds},
     * {@link DeletionGuard} and {@link BatchDelete} always.
     */
    @Override
    public <C> Optional<C> capability(Class<C> type) {
        if (type == ObjectLock.class) {
            checkOpen();
            return holds.declaresObjectLock() ? Optional.of(type.cast((ObjectLock) holds::lockMode)) : Optional.empty();
        }
        return StorageTarget.super.capability(type);
    }

    @Override
    public InputStream get(String key) {
        return get(key, ByteRange.from(0));
    }

    /**
     * Reads the generation found when the read starts: a concurrent overwrite cannot mix two
     * versions into one stream (the read then fails instead).
     */
    @Override
    public InputStream get(String key, ByteRange range) {
        Objects.requireNonNull(range, "range");
        checkOpen();
        String resource = resource(key);
        Blob blob = call("get", resource, "storage.objects.get",
                () -> storage.get(BlobId.of(bucket, objectName(key))));
        if (blob == null) {
            throw notFound("get", resource);
        }
        long size = blob.getSize() == null ? 0 : blob.getSize();
        long start = Math.min(range.offset(), size);
        long end = range.toEnd() ? size : Math.min(size, start + range.length());
        if (end <= start) {
            return InputStream.nullInputStream();
        }
        BlobId exact = blob.getGeneration() == null ? blob.getBlobId()
                : BlobId.of(bucket, blob.getName(), blob.getGeneration());
        // the transfer client resumes a broken download from its position (same generation) on retry
        ReadChannel reader = transferStorage.reader(exact);
        try {
            if (start > 0) {
                reader.seek(start);
            }
            if (end < size) {
                reader.limit(end);
            }
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw translate("get", resource, "storage.objects.get", e);
        }
        return new ReadChannelInputStream(reader, resource, start, end - start);
    }

    /**
     * The client answers "no object" both for a missing object and a missing bucket; tell them apart
     * (one bucket lookup, on this error path only) so a wrong bucket name is not reported as a
     * missing backup.
     */
    private BackupException notFound(String op, String resource) {
        try {
            if (storage.get(bucket) == null) {
                return GcsErrors.bucketMissing(op + " " + resource, bucket, null);
            }
        } catch (RuntimeException e) {
            // no storage.buckets.get permission, or unreachable: fall back to the object answer
            LOG.debug("bucket lookup for {} failed: {}", describe(), GcsErrors.redacted(e).toString());
        }
        return new BackupException(CoreErrorCode.NOT_FOUND, "no object " + resource);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        checkOpen();
        Blob blob = call("stat", resource(key), "storage.objects.get",
                () -> storage.get(BlobId.of(bucket, objectName(key))));
        return Optional.ofNullable(blob).map(this::info);
    }

    @Override
    public void list(String keyPrefix, ListVisitor visitor) {
        Objects.requireNonNull(keyPrefix, "prefix");
        Objects.requireNonNull(visitor, "visitor");
        checkOpen();
        String resource = describe() + " prefix '" + keyPrefix + "'";
        // no pageSize option: GCS pages by 1,000 anyway, and LocalStorageHelper truncates at pageSize
        // without offering a next page
        Page<Blob> page = call("list", resource, "storage.objects.list", () -> storage.list(bucket,
                Storage.BlobListOption.prefix(prefix + keyPrefix)));
        while (page != null) {
            for (Blob blob : page.getValues()) {
                if (blob.getName().length() > prefix.length() && blob.getName().startsWith(prefix)) {
                    visitor.visit(info(blob));
                }
            }
            if (!page.hasNextPage()) {
                return;
            }
            Page<Blob> current = page;
            page = call("list", resource, "storage.objects.list", current::getNextPage);
        }
    }

    /**
     * Deletes the object; a missing key is not an error.
     *
     * @throws BackupException {@code STORAGE_FAILED} naming the hold or retention date if the object
     *                         is held or under retention; naming the permission if denied
     */
    @Override
    public void delete(String key) {
        checkOpen();
        String resource = resource(key);
        try {
            retryPolicy.call("delete", resource, () -> {
                try {
                    return storage.delete(BlobId.of(bucket, objectName(key)));
                } catch (RuntimeException e) {
                    throw translate("delete", resource, "storage.objects.delete", e);
                }
            });
        } catch (BackupException e) {
            throw explainBlocked("delete", key, e);
        }
    }

    /**
     * Deletes several objects with batched requests (up to 100 per request); missing keys are not
     * errors. All keys are attempted; failures are reported together afterwards.
     *
     * @throws BackupException {@code STORAGE_FAILED} listing the keys that could not be deleted and why
     */
    @Override
    public void deleteAll(Collection<String> keys) {
        Objects.requireNonNull(keys, "keys");
        checkOpen();
        List<String> all = new ArrayList<>(keys);
        List<String> failures = new ArrayList<>();
        BackupException first = null;
        for (int from = 0; from < all.size(); from += BATCH_LIMIT) {
            List<String> slice = all.subList(from, Math.min(all.size(), from + BATCH_LIMIT));
            List<StorageBatchResult<Boolean>> results = new ArrayList<>();
            try {
                StorageBatch batch = storage.batch();
                for (String key : slice) {
                    results.add(batch.delete(BlobId.of(bucket, objectName(key))));
                }
                batch.submit();
            } catch (RuntimeException e) {
                throw translate("delete batch", describe(), "storage.objects.delete", e);
            }
            for (int i = 0; i < slice.size(); i++) {
                String key = slice.get(i);
                try {
                    results.get(i).get();
                } catch (RuntimeException e) {
                    if (GcsErrors.status(e) == 404) {
                        continue;
                    }
                    BackupException be = explainBlocked("delete", key,
                            translate("delete", resource(key), "storage.objects.delete", e));
                    failures.add(key + ": " + be.getMessage());
                    if (first == null) {
                        first = be;
                    }
                }
            }
        }
        if (first != null) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, failures.size() + " of " + all.size()
                    + " objects in " + describe() + " could not be deleted: " + String.join("; ", failures),
                    first, first.isRetryable());
        }
    }

    /**
     * Why the object cannot be deleted now, if anything: a temporary or event-based hold, an
     * object retention date, or the bucket retention policy's expiration time, compared with the
     * injected clock. Empty if the object can be deleted or does not exist. Prune calls this (the
     * {@link DeletionGuard} capability) before deleting.
     */
    @Override
    public Optional<String> deletionBlocker(String key) {
        checkOpen();
        return holds.deletionBlocker(BlobId.of(bucket, objectName(key)), resource(key));
    }

    /** Whether {@link #deletionBlocker(String)} reports a hold or retention on the object. */
    public boolean isDeletionBlocked(String key) {
        return deletionBlocker(key).isPresent();
    }

    /** A 403 on delete or overwrite is usually a hold or retention, not IAM: say which, if so. */
    private BackupException explainBlocked(String verb, String key, BackupException e) {
        return holds.explainBlocked(verb, BlobId.of(bucket, objectName(key)), resource(key), e);
    }

    /** Closes the client if this target created it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsClient) {
            closeQuietly(storage);
            if (transferStorage != storage) {
                closeQuietly(transferStorage);
            }
        }
    }

    private static void closeQuietly(Storage s) {
        try {
            s.close();
        } catch (Exception e) {
            LOG.debug("closing the GCS client failed", GcsErrors.redacted(e));
        }
    }

    @Override
    public String toString() {
        return "GcsStorage[" + describe()
                + (storageClass == null ? "" : ", storageClass=" + storageClass)
                + (kmsKeyName == null ? "" : ", kmsKeyName=" + kmsKeyName)
                + (temporaryHold ? ", temporaryHold" : "")
                + (eventBasedHold ? ", eventBasedHold" : "")
                + ", chunkSize=" + chunkSize + "]";
    }

    private ObjectInfo info(BlobInfo blob) {
        OffsetDateTime updated = blob.getUpdateTimeOffsetDateTime();
        return new ObjectInfo(blob.getName().substring(prefix.length()),
                blob.getSize() == null ? 0 : blob.getSize(),
                updated == null ? Instant.EPOCH : updated.toInstant());
    }

    private <T> T call(String op, String resource, String permission, Supplier<T> call) {
        return retryPolicy.call(op, resource, () -> {
            try {
                return call.get();
            } catch (RuntimeException e) {
                throw translate(op, resource, permission, e);
            }
        });
    }

    private BackupException translate(String op, String resource, String permission, Throwable e) {
        return GcsErrors.translate(op, resource, bucket, permission, e);
    }

    private String objectName(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.startsWith("/")) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "invalid key '" + key + "' for " + describe() + ": keys are non-empty relative paths");
        }
        return prefix + key;
    }

    private String resource(String key) {
        return "gs://" + bucket + "/" + prefix + key;
    }

    private void checkOpen() {
        if (closed) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, describe() + " is closed");
        }
    }

    /** Configures a {@link GcsStorage}. Not thread-safe; {@link #build()} validates everything at once. */
    public static final class Builder {
        private final String bucket;
        private final Storage client;
        private String prefix = "";
        private String projectId;
        private String storageClass;
        private String kmsKeyName;
        private boolean temporaryHold;
        private boolean eventBasedHold;
        private boolean lockedRetention;
        private Boolean objectRetention;
        private Credentials credentials;
        private String host;
        private int chunkSize = DEFAULT_CHUNK_SIZE;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Clock clock = Clock.systemUTC();
        private java.time.Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private java.time.Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private java.time.Duration retryBudget = DEFAULT_RETRY_BUDGET;
        private long minimumBandwidth = DEFAULT_MINIMUM_BANDWIDTH;

        private final ConfigurationProblems settings = ConfigurationProblems.of("GcsStorage");

        private Builder(String bucket, Storage client) {
            this.bucket = bucket;
            this.client = client;
        }

        /** Key prefix inside the bucket, e.g. {@code prod/}; a trailing {@code /} is added. Default: none. */
        public Builder prefix(String prefix) {
            settings.once("prefix");
            String p = Objects.requireNonNull(prefix, "prefix");
            while (p.startsWith("/")) {
                p = p.substring(1);
            }
            this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
            return this;
        }

        /** The project for the client (billing, quota). Default: from Application Default Credentials. */
        public Builder projectId(String projectId) {
            settings.once("projectId");
            this.projectId = Objects.requireNonNull(projectId, "projectId");
            return this;
        }

        /**
         * Storage class of backups' data objects ({@link PutOptions#dataObject()}; bookkeeping keeps the bucket default): one of {@link #STORAGE_CLASSES} (case-insensitive).
         * Default: the bucket's default class. Validated by {@link #build()}.
         */
        public Builder storageClass(String storageClass) {
            settings.once("storageClass");
            this.storageClass = Objects.requireNonNull(storageClass, "storageClass").trim().toUpperCase(Locale.ROOT);
            return this;
        }

        /**
         * Customer-managed encryption key for written objects, e.g.
         * {@code projects/p/locations/l/keyRings/r/cryptoKeys/k}. Default: the bucket's default key
         * (Google-managed if none).
         */
        public Builder kmsKeyName(String kmsKeyName) {
            settings.once("kmsKeyName");
            this.kmsKeyName = Objects.requireNonNull(kmsKeyName, "kmsKeyName");
            return this;
        }

        /** Place a temporary hold on objects written by {@code put}. Default {@code false}. */
        public Builder temporaryHold(boolean temporaryHold) {
            settings.once("temporaryHold");
            this.temporaryHold = temporaryHold;
            return this;
        }

        /** Place an event-based hold on objects written by {@code put}. Default {@code false}. */
        public Builder eventBasedHold(boolean eventBasedHold) {
            settings.once("eventBasedHold");
            this.eventBasedHold = eventBasedHold;
            return this;
        }

        /**
         * Whether {@link PutOptions#retainUntil()} sets a {@code Locked} object retention (cannot be
         * shortened by anyone) instead of {@code Unlocked}. Needs a bucket with object retention
         * enabled. Default {@code false} (Unlocked).
         */
        public Builder lockedRetention(boolean locked) {
            settings.once("lockedRetention");
            this.lockedRetention = locked;
            return this;
        }

        /**
         * Whether the bucket has object retention enabled, so that {@link PutOptions#retainUntil()} locks objects
         * and the storage declares the {@link ObjectLock} capability (the engine's {@code objectLock(..)} needs it);
         * {@code false} declares no object lock whatever the bucket has. Default: looked up on the bucket
         * ({@code storage.buckets.get}) the first time it matters; a bucket retention policy also counts.
         */
        public Builder objectRetention(boolean enabled) {
            this.objectRetention = enabled;
            return this;
        }

        /** Credentials to use. Default: Application Default Credentials (or none with {@link #host}). */
        public Builder credentials(Credentials credentials) {
            settings.once("credentials");
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * API endpoint, e.g. {@code http://127.0.0.1:4443} for an emulator. Without
         * {@link #credentials}, no credentials are sent. Default: {@code https://storage.googleapis.com}.
         */
        public Builder host(String host) {
            settings.once("host");
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Upload chunk size in bytes, a positive multiple of 256 KiB; one chunk is buffered per upload.
         * Default 8 MiB.
         */
        public Builder chunkSize(int chunkSize) {
            settings.once("chunkSize");
            if (chunkSize <= 0 || chunkSize % CHUNK_GRANULARITY != 0) {
                throw new IllegalArgumentException("chunkSize must be a positive multiple of 262144 (256 KiB), was " + chunkSize);
            }
            this.chunkSize = chunkSize;
            return this;
        }

        /**
         * Floor of the HTTP read timeout, &gt; 0: the effective one is
         * {@code max(readTimeout, 2 × chunkSize / minimumBandwidth)} (a chunk's response comes after its bytes went
         * over the link). Default 20 s (the client library's); with 8 MiB chunks at 1 MiB/s, 20 s.
         */
        public Builder readTimeout(java.time.Duration timeout) {
            settings.once("readTimeout");
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** HTTP connect timeout, &gt; 0. Default 20 s. */
        public Builder connectTimeout(java.time.Duration timeout) {
            settings.once("connectTimeout");
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Floor of the total time the client may spend on one request or chunk with its retries inside a
         * transfer, &gt; 0: the effective one is {@code max(retryBudget, 4 × effective read timeout)}.
         * Default 50 s (the client library's).
         */
        public Builder retryBudget(java.time.Duration budget) {
            settings.once("retryBudget");
            this.retryBudget = positive(budget, "retryBudget");
            return this;
        }

        /** The slowest link the timeouts must survive, in bytes per second, &gt; 0. Default 1 MiB/s. */
        public Builder minimumBandwidth(long bytesPerSecond) {
            settings.once("minimumBandwidth");
            if (bytesPerSecond <= 0) {
                throw new IllegalArgumentException("minimumBandwidth must be > 0 bytes per second, was " + bytesPerSecond);
            }
            this.minimumBandwidth = bytesPerSecond;
            return this;
        }

        /** The read timeout the client this builder creates uses (see {@link #readTimeout}). */
        public java.time.Duration effectiveReadTimeout() {
            java.time.Duration scaled = java.time.Duration.ofMillis(2L * chunkSize * 1000 / minimumBandwidth);
            return readTimeout.compareTo(scaled) >= 0 ? readTimeout : scaled;
        }

        /** The total retry budget the client this builder creates uses (see {@link #retryBudget}). */
        public java.time.Duration effectiveRetryBudget() {
            java.time.Duration scaled = effectiveReadTimeout().multipliedBy(4);
            return retryBudget.compareTo(scaled) >= 0 ? retryBudget : scaled;
        }

        private static java.time.Duration positive(java.time.Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " must be > 0 and < 24 days, was " + d);
            }
            return d;
        }

        /** Retry policy for metadata calls, and attempt count for upload chunks. Default {@link RetryPolicy#defaults()}. */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            settings.once("retryPolicy");
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** Clock for comparing retention dates. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            settings.once("clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Validates the configuration and creates the target (and its client, unless one was given).
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem
         */
        public GcsStorage build() {
            List<String> problems = new ArrayList<>();
            if (!BUCKET_NAME.matcher(bucket).matches() || bucket.length() > 222) {
                problems.add("bucket name '" + bucket + "' is invalid: use 3-63 lowercase letters, digits, '-', '_' or '.'");
            }
            if (storageClass != null && !STORAGE_CLASSES.contains(storageClass)) {
                problems.add("storage class '" + storageClass + "' is invalid: use one of " + String.join(", ", STORAGE_CLASSES));
            }
            if (kmsKeyName != null && !kmsKeyName.matches("projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+")) {
                problems.add("kmsKeyName must look like projects/P/locations/L/keyRings/R/cryptoKeys/K");
            }
            if (host != null) {
                try {
                    URI uri = URI.create(host);
                    if (uri.getScheme() == null || uri.getHost() == null
                            || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                        problems.add("host must be an http(s) URL such as http://127.0.0.1:4443");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add("host must be an http(s) URL such as http://127.0.0.1:4443");
                }
            }
            if (client != null && (credentials != null || host != null || projectId != null)) {
                problems.add("credentials, host and projectId configure a client this target creates: set them on"
                        + " the Storage passed to from(..) instead");
            }
            if (!problems.isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                        "invalid GcsStorage configuration for gs://" + bucket + ": " + String.join("; ", problems));
            }
            if (client != null) {
                return new GcsStorage(this, client, client, false);
            }
            GcsClients clients = GcsClients.create(bucket, projectId, host, credentials, connectTimeout,
                    effectiveReadTimeout(), effectiveRetryBudget(), retryPolicy.maxAttempts());
            return new GcsStorage(this, clients.metadata(), clients.transfer(), true);
        }
    }
}
