package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The marker of a backup in progress: {@code locks/running/{source}/{backupId}.json}, a
 * {@link Lease.Holder} document (purpose {@code backup}) written before the backup's first object
 * and renewed in the background every quarter of {@link #EXPIRY} until the backup commits or fails,
 * then deleted. Prune never deletes the objects of a backup id whose marker is live (not expired by
 * more than {@link Lease#SKEW_MARGIN}, and its holder not a dead process on the pruning host), so an
 * upload in progress survives any grace period, {@code gracePeriod(ZERO)} included.
 *
 * <p>The same renewed holder document, with more fields beside the holder's, is the cleanup journal of a restore
 * test ({@link #start(StorageTarget, String, String, Map, Clock)}): a journal replay leaves the scratch target of a
 * live holder alone.
 *
 * <p>Right before the manifest is written, {@link #checkBeforeCommit} checks that every stream object
 * is stored with its size; a backup whose objects went missing
 * (deleted by an older prune that did not know markers, or by hand) fails clearly instead of
 * committing a manifest that points at nothing.
 */
public final class RunningMarker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunningMarker.class);

    /** How long a marker lives without renewal; renewed every quarter of that. */
    public static final Duration EXPIRY = Duration.ofMinutes(10);

    private static final ScheduledExecutorService RENEWER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "eazepay-backup-marker-renewer");
        t.setDaemon(true);
        return t;
    });

    private final StorageTarget storage;
    private final String source;
    private final String backupId;
    private final String key;
    private final Map<String, Object> fields;
    private final Clock clock;
    private volatile Lease.Holder holder;
    private volatile BackupException lastRenewalFailure;
    private ScheduledFuture<?> renewal;
    private boolean closed;

    private RunningMarker(StorageTarget storage, String source, String backupId, String key, Map<String, Object> fields,
                          Clock clock) {
        this.storage = storage;
        this.source = source;
        this.backupId = backupId;
        this.key = key;
        this.fields = Map.copyOf(fields);
        this.clock = clock;
    }

    /**
     * Writes the marker of backup {@code backupId} of {@code source} and starts renewing it.
     *
     * @throws BackupException storage codes if the marker cannot be written (the backup must not start)
     */
    public static RunningMarker start(StorageTarget storage, String source, String backupId, Clock clock) {
        return start(new RunningMarker(storage, source, backupId, RepositoryLayout.runningMarkerKey(source, backupId), Map.of(),
                clock), "backup");
    }

    /**
     * Writes a marker at {@code key}: a {@link Lease.Holder} document for this process with {@code purpose}, plus
     * {@code fields} beside the holder's (no secrets: it is stored in the repository), and starts renewing it.
     * {@link #checkBeforeCommit} does not apply to it.
     *
     * @throws BackupException storage codes if the marker cannot be written
     */
    public static RunningMarker start(StorageTarget storage, String key, String purpose, Map<String, Object> fields, Clock clock) {
        return start(new RunningMarker(storage, null, null, key, fields, clock), purpose);
    }

    private static RunningMarker start(RunningMarker m, String purpose) {
        Instant now = m.clock.instant();
        m.write(Lease.Holder.forThisProcess(UUID.randomUUID().toString(), purpose, now, now.plus(EXPIRY)));
        long period = EXPIRY.toMillis() / 4;
        synchronized (m) {
            m.renewal = RENEWER.scheduleWithFixedDelay(m::renewQuietly, period, period, TimeUnit.MILLISECONDS);
        }
        return m;
    }

    private void write(Lease.Holder h) {
        write(h, Map.of());
    }

    private void write(Lease.Holder h, Map<String, Object> more) {
        Object doc = h;
        if (!fields.isEmpty() || !more.isEmpty()) {
            Map<String, Object> merged = new LinkedHashMap<>(fields);
            merged.putAll(more);
            merged.putAll(Json.mapper().convertValue(h, Map.class));
            doc = merged;
        }
        byte[] json = Json.write(doc);
        storage.put(key, new ByteArrayInputStream(json), PutOptions.defaults().withContentLength(json.length)
                .withContentType("application/json"));
        holder = h;
    }

    /** Extends the marker to {@link #EXPIRY} from now. */
    synchronized void renew() {
        if (closed) {
            return;
        }
        write(holder.withExpiry(clock.instant().plus(EXPIRY)));
        lastRenewalFailure = null;
    }

    private void renewQuietly() {
        try {
            renew();
        } catch (BackupException e) {
            lastRenewalFailure = e;
            LOG.warn("renewing the running marker {} on {} failed ({}): {}; trying again", key, storage.describe(),
                    e.errorCode().name(), e.getMessage());
        } catch (RuntimeException e) {
            lastRenewalFailure = new BackupException(CoreErrorCode.INTERNAL, "renewing " + key + " failed: " + e, e);
            LOG.warn("renewing the running marker {} on {} failed: {}; trying again", key, storage.describe(), e);
        }
    }

    /**
     * Checks, right before the manifest is written, that every stream object exists with its stored
     * size (a prune that judged this backup dead, e.g. after its marker could not be renewed for
     * longer than {@link #EXPIRY}, would have removed them).
     *
     * @throws BackupException {@code STORAGE_FAILED} (retryable: a new backup is safe) naming what is
     *                         missing; nothing may be committed then
     */
    public void checkBeforeCommit(List<Manifest.StreamInfo> streams) {
        if (closed) {
            throw new IllegalStateException("marker " + key + " already closed");
        }
        for (Manifest.StreamInfo s : streams) {
            String objectKey = RepositoryLayout.streamKey(source, backupId, s.object());
            Optional<ObjectInfo> o = storage.stat(objectKey);
            if (o.isEmpty() || o.get().size() != s.storedSize()) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "stream '" + s.name() + "' of backup " + backupId
                        + " is " + (o.isEmpty() ? "missing" : o.get().size() + " bytes instead of " + s.storedSize())
                        + " in " + storage.describe() + " right before commit (" + objectKey + "): was it deleted by a prune"
                        + " of another version that ignores " + RepositoryLayout.RUNNING_PREFIX + " markers, or by hand?"
                        + " The backup is not committed; run it again", null, true);
            }
        }
    }

    /**
     * Stops renewing and keeps the marker, rewritten as expired and {@code "abandoned": true}: whatever it guards is
     * no longer looked after by this process (a restore test whose scratch target could not be dropped), so the next
     * journal replay takes it on at once. A failure to rewrite is logged (the marker then expires by itself).
     */
    public void abandon() {
        if (!stopRenewing()) {
            return;
        }
        try {
            write(holder.withExpiry(holder.acquiredAt()), Map.of(ABANDONED, true));
        } catch (BackupException e) {
            LOG.warn("marking {} on {} abandoned failed ({}): {}; it expires by itself at {}", key, storage.describe(),
                    e.errorCode().name(), e.getMessage(), holder.expiresAt().plus(Lease.SKEW_MARGIN));
        }
    }

    /** Marks this marker closed and stops its renewal; false if it was closed already. */
    private synchronized boolean stopRenewing() {
        if (closed) {
            return false;
        }
        closed = true;
        if (renewal != null) {
            renewal.cancel(false);
        }
        return true;
    }

    /** The field {@link #abandon()} sets. */
    public static final String ABANDONED = "abandoned";

    /** Stops renewing and deletes the marker; a failure is logged (the marker then expires by itself). */
    @Override
    public void close() {
        if (!stopRenewing()) {
            return;
        }
        try {
            storage.delete(key);
        } catch (BackupException e) {
            LOG.warn("deleting the running marker {} on {} failed ({}): {}; it expires by itself at {}", key,
                    storage.describe(), e.errorCode().name(), e.getMessage(), holder.expiresAt().plus(Lease.SKEW_MARGIN));
        }
    }

    /** Last renewal failure, if the latest renewal failed. */
    BackupException lastRenewalFailure() {
        return lastRenewalFailure;
    }

    /**
     * The running markers of {@code source} in {@code storage}, by backup id. Unreadable markers are
     * reported as live with an unknown holder (null value is never used: such markers count as live).
     */
    public static Map<String, Optional<Lease.Holder>> markers(StorageTarget storage, String source) {
        Map<String, Optional<Lease.Holder>> byId = new LinkedHashMap<>();
        String prefix = RepositoryLayout.RUNNING_PREFIX + source + "/";
        for (ObjectInfo o : storage.listAll(prefix)) {
            String id = RepositoryLayout.backupIdOfMarkerKey(prefix, o.key());
            if (id == null) {
                continue;
            }
            try {
                byId.put(id, Lease.read(storage, o.key()));
            } catch (BackupException e) {
                if (e.errorCode() != CoreErrorCode.CORRUPT_DATA) {
                    throw e;
                }
                LOG.warn("running marker {} on {} is unreadable ({}): treated as live", o.key(), storage.describe(),
                        e.getMessage());
                byId.put(id, Optional.of(new Lease.Holder("unreadable", "unknown", -1, "backup", null, Instant.MAX.minus(Duration.ofDays(1)), null,
                        null)));
            }
        }
        return byId;
    }

    /** Why a marker's holder is no longer running, or empty if it is live. */
    public static Optional<String> staleReason(Lease.Holder h, Instant now) {
        if (h.processIsGone()) {
            return Optional.of("its process " + h.pid() + " on this host no longer exists");
        }
        if (h.expiredAt(now)) {
            return Optional.of("it expired at " + h.expiresAt());
        }
        return Optional.empty();
    }
}
