package com.eazepay.backup.gcs.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.PutOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Holds and retention of {@code GcsStorage}: which holds and retention a put sets, whether the storage declares
 * object lock (configured, or what the bucket has: object retention or a retention policy, looked up once), why
 * an object cannot be deleted now, and the temporary hold as a legal hold. Dates are compared with the
 * injected {@link Clock}.
 *
 * <p>Thread-safe.
 */
public final class GcsHolds {

    private static final Logger LOG = LoggerFactory.getLogger(GcsHolds.class);

    /** A metadata call of the storage: retried by its policy, client failures translated. */
    @FunctionalInterface
    public interface Calls {
        <T> T call(String op, String resource, String permission, Supplier<T> call);
    }

    /** The bucket's retention settings: object retention enabled, and the retention policy's period (or null). */
    private record BucketRetention(boolean objectRetention, Duration policy) {
    }

    private final Storage storage;
    private final String bucket;
    private final Clock clock;
    private final boolean temporaryHold;
    private final boolean eventBasedHold;
    private final BlobInfo.Retention.Mode retentionMode;
    /** Whether the bucket has object retention: configured, or null (then looked up). */
    private final Boolean objectRetention;
    private final Calls calls;
    private volatile BucketRetention bucketRetention;

    /**
     * @param temporaryHold   a temporary hold on data objects written by {@code put}
     * @param eventBasedHold  an event-based hold on data objects written by {@code put}
     * @param lockedRetention {@code Locked} object retention instead of {@code Unlocked}
     * @param objectRetention whether the bucket has object retention, or {@code null} to look it up
     */
    public GcsHolds(Storage storage, String bucket, Clock clock, boolean temporaryHold, boolean eventBasedHold,
                    boolean lockedRetention, Boolean objectRetention, Calls calls) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.temporaryHold = temporaryHold;
        this.eventBasedHold = eventBasedHold;
        this.retentionMode = lockedRetention ? BlobInfo.Retention.Mode.LOCKED : BlobInfo.Retention.Mode.UNLOCKED;
        this.objectRetention = objectRetention;
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    /**
     * Sets the configured holds on a data object written by {@code put} (bookkeeping such as leases, pins, hold
     * markers, reports and manifests must stay deletable and replaceable: ARCHITECTURE section 4), and the
     * retain-until date: as object retention where the bucket has it (or it is configured, or unknown: the
     * store then says); on a bucket with only a retention policy, the policy retains the object, and must
     * reach the date.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if the bucket's retention policy ends before the date
     */
    public void applyOnPut(BlobInfo.Builder b, String resource, PutOptions options, boolean ifAbsent) {
        if (!ifAbsent && options.dataObject()) {
            if (temporaryHold) {
                b.setTemporaryHold(true);
            }
            if (eventBasedHold) {
                b.setEventBasedHold(true);
            }
        }
        options.retainUntil().ifPresent(until -> applyRetention(b, resource, until));
    }

    private void applyRetention(BlobInfo.Builder b, String resource, Instant until) {
        Optional<BucketRetention> r = Boolean.TRUE.equals(objectRetention) ? Optional.empty() : bucketRetention(false);
        if (r.isPresent() && !r.get().objectRetention() && r.get().policy() != null) {
            Instant covered = clock.instant().plus(r.get().policy());
            if (covered.isBefore(until)) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "put " + resource + " asks for"
                        + " retention until " + until + " but the bucket retention policy of " + r.get().policy()
                        + " only retains it until " + covered + ": lengthen the bucket's retention policy, enable"
                        + " object retention on the bucket, or shorten objectLock(..)");
            }
            return; // the bucket policy retains it long enough; per-object retention needs object retention
        }
        b.setRetention(BlobInfo.Retention.newBuilder()
                .setMode(retentionMode)
                .setRetainUntilTime(OffsetDateTime.ofInstant(until, ZoneOffset.UTC))
                .build());
    }

    /**
     * Whether the storage declares object lock: as configured, else whether the bucket has object retention
     * enabled or a retention policy (if the bucket cannot be read: no, logged at WARN, asked again next time).
     */
    public boolean declaresObjectLock() {
        if (objectRetention != null) {
            return objectRetention;
        }
        return bucketRetention(true).map(r -> r.objectRetention() || r.policy() != null).orElse(false);
    }

    /** The object lock mode for logs, e.g. {@code GCS object retention UNLOCKED}. */
    public String lockMode() {
        return "GCS object retention " + retentionMode;
    }

    /** What the bucket retains, looked up once; empty if it cannot be read now. */
    private Optional<BucketRetention> bucketRetention(boolean warn) {
        BucketRetention known = bucketRetention;
        if (known != null) {
            return Optional.of(known);
        }
        String where = "gs://" + bucket;
        Bucket b;
        try {
            b = calls.call("get bucket", where, "storage.buckets.get", () -> storage.get(bucket));
        } catch (BackupException e) {
            if (warn) {
                LOG.warn("{}: cannot read the bucket's retention settings ({}): {}; no object lock declared (call"
                        + " objectRetention(true) if the bucket has object retention)", where, e.errorCode(), e.getMessage());
            }
            return Optional.empty();
        }
        if (b == null) {
            return Optional.empty();
        }
        boolean objectLevel = b.getObjectRetention() != null
                && BucketInfo.ObjectRetention.Mode.ENABLED.equals(b.getObjectRetention().getMode());
        Duration policy = b.getRetentionPeriodDuration();
        known = new BucketRetention(objectLevel, policy == null || policy.isZero() ? null : policy);
        LOG.debug("{}: object retention {}, retention policy {}", where, objectLevel ? "enabled" : "off",
                known.policy() == null ? "none" : known.policy());
        bucketRetention = known;
        return Optional.of(known);
    }

    /**
     * Sets or releases the temporary hold of one object.
     *
     * @return the updated object, or {@code null} if there is none
     */
    public Blob setTemporaryHold(BlobId id, String resource, boolean hold) {
        Blob updated = calls.call("legal hold", resource, "storage.objects.update",
                () -> storage.update(BlobInfo.newBuilder(id).setTemporaryHold(hold).build()));
        if (updated != null) {
            LOG.debug("temporary hold {} on {}", hold ? "set" : "released", resource);
        }
        return updated;
    }

    /**
     * Why the object cannot be deleted now, if anything: a temporary or event-based hold, an object retention
     * date, or the bucket retention policy's expiration time. Empty if it can be deleted or does not exist.
     */
    public Optional<String> deletionBlocker(BlobId id, String resource) {
        Blob blob = calls.call("stat", resource, "storage.objects.get", () -> storage.get(id));
        return blob == null ? Optional.empty() : blocker(blob);
    }

    private Optional<String> blocker(BlobInfo blob) {
        List<String> reasons = new ArrayList<>();
        if (Boolean.TRUE.equals(blob.getTemporaryHold())) {
            reasons.add("a temporary hold (release: gcloud storage objects update gs://" + bucket + "/"
                    + blob.getName() + " --no-temporary-hold)");
        }
        if (Boolean.TRUE.equals(blob.getEventBasedHold())) {
            reasons.add("an event-based hold (release: gcloud storage objects update gs://" + bucket + "/"
                    + blob.getName() + " --no-event-based-hold)");
        }
        Instant now = clock.instant();
        OffsetDateTime expiration = blob.getRetentionExpirationTimeOffsetDateTime();
        if (expiration != null && expiration.toInstant().isAfter(now)) {
            reasons.add("the bucket retention policy until " + expiration.toInstant());
        }
        BlobInfo.Retention retention = blob.getRetention();
        if (retention != null && retention.getRetainUntilTime() != null
                && retention.getRetainUntilTime().toInstant().isAfter(now)) {
            reasons.add("object retention (" + retention.getMode() + ") until " + retention.getRetainUntilTime().toInstant());
        }
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join(" and ", reasons));
    }

    /** A 403 on delete or overwrite is usually a hold or retention, not IAM: say which, if so. */
    public BackupException explainBlocked(String verb, BlobId id, String resource, BackupException e) {
        if (GcsErrors.status(e) != 403) {
            return e;
        }
        Optional<String> blocker;
        try {
            blocker = deletionBlocker(id, resource);
        } catch (BackupException lookup) {
            e.addSuppressed(lookup);
            return e;
        }
        return blocker.<BackupException>map(reason -> new BackupException(CoreErrorCode.STORAGE_FAILED,
                "cannot " + verb + " " + resource + ": it is under " + reason, e, false)).orElse(e);
    }
}
