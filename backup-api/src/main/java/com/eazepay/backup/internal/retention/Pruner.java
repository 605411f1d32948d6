package com.eazepay.backup.internal.retention;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.internal.Lease;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.internal.RunningMarker;
import com.eazepay.backup.spi.DeletionGuard;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Executes a {@link RetentionPlan} against a repository. Layout: a backup is the objects under
 * {@code {source}/{backupId}/}, committed iff {@code {source}/{backupId}/manifest.json} exists.
 *
 * <p>For each removed backup, oldest first, the manifest is deleted <em>first</em>, so a backup
 * that is half deleted is never listed or restored; then its data objects. If deleting the
 * manifest fails the backup is left whole and the failure is reported; if deleting data fails the
 * leftovers are unlisted data, removed by a later prune as an unfinished upload.
 *
 * <p>Objects under {@code {source}/{id}/} with no manifest (unfinished or failed uploads) are
 * deleted when their newest object is older than the grace period (default
 * {@value #DEFAULT_GRACE_HOURS} h) at the {@link Clock}'s time; uploads in progress are younger.
 * Stores that report no modification time ({@link Instant#EPOCH}) are aged by the time encoded in
 * the backup id, or not at all.
 *
 * <p><b>Backups in progress</b> hold a running marker ({@code locks/running/{source}/{id}.json}, see
 * {@link RunningMarker}), renewed while they run. Objects of an id whose marker is live are never
 * deleted, whatever the grace period ({@code ZERO} included); the markers are read <em>after</em>
 * the objects are listed, and a backup writes its marker before its first object and deletes it only
 * after its manifest, so every listed object of a running backup is covered. A stale marker (expired
 * by more than {@link com.eazepay.backup.internal.Lease#SKEW_MARGIN}, or its holder a dead process
 * on this host) protects nothing and is deleted once its id has no unfinished objects left. The
 * grace period still protects uploads of library versions that wrote no marker.
 *
 * <p><b>Held objects:</b> if the storage has a {@link DeletionGuard} (GCS holds and retention), it is asked
 * about every object of a backup or unfinished upload before anything of it is deleted; if any object is
 * held, nothing of that backup is deleted (it stays whole and restorable) and it is reported in
 * {@link PruneResult#held()}, never as an error: the prune goes on with the others. A guard that cannot
 * be asked is reported as an error for that backup, which is then left in place.
 *
 * <p>On a {@link FileSystemStorage} (found through wrappers), hidden temporary files ({@code .tmp-*}) under the source that
 * were last written before the grace period (left by killed processes) are deleted too.
 *
 * <p>Failures are never swallowed: each is reported per backup in {@link PruneResult#errors()}
 * (call {@link PruneResult#orThrow()} to turn them into an exception). A failure to list the
 * repository is thrown before anything is deleted. Immutable and thread-safe; two prunes of the
 * same source must not run at once (the engine holds the prune lease).
 */
public final class Pruner {

    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);

    static final long DEFAULT_GRACE_HOURS = 24;
    /** How old an upload without a manifest must be before it is removed: 24 hours. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(DEFAULT_GRACE_HOURS);

    private static final String MANIFEST = "manifest.json";

    private final StorageTarget storage;
    private final Clock clock;
    private final Duration gracePeriod;
    private final StorageTarget markerStorage;

    /** A pruner with the default grace period. Neither argument is closed by the pruner. */
    public Pruner(StorageTarget storage, Clock clock) {
        this(storage, clock, DEFAULT_GRACE_PERIOD, storage);
    }

    private Pruner(StorageTarget storage, Clock clock, Duration gracePeriod, StorageTarget markerStorage) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.gracePeriod = gracePeriod;
        this.markerStorage = Objects.requireNonNull(markerStorage, "markerStorage");
    }

    /**
     * A copy that reads running-backup markers from {@code primary} (for a replica: the markers live
     * in the primary repository, and replication runs before the backup's marker is removed).
     */
    public Pruner withRunningMarkersFrom(StorageTarget primary) {
        return new Pruner(storage, clock, gracePeriod, primary);
    }

    /**
     * A copy with another grace period for unfinished uploads.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if {@code grace} is null or negative
     */
    public Pruner withGracePeriod(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "prune grace period " + grace + " is invalid: use a duration >= 0 (default 24h)");
        }
        return new Pruner(storage, clock, grace, markerStorage);
    }

    /** The grace period for unfinished uploads. */
    public Duration gracePeriod() {
        return gracePeriod;
    }

    /** What {@link #run} would delete, without deleting anything. */
    public PruneResult dryRun(String source, RetentionPlan plan) {
        return execute(source, plan, true);
    }

    /**
     * Deletes the plan's removed backups of {@code source} and stale unfinished uploads.
     *
     * @throws BackupException {@code STORAGE_*} from listing the repository (before anything is
     *                         deleted; retryable as the storage says); deletion failures are
     *                         reported in the result instead
     */
    public PruneResult run(String source, RetentionPlan plan) {
        return execute(source, plan, false);
    }

    private PruneResult execute(String source, RetentionPlan plan, boolean dry) {
        Objects.requireNonNull(plan, "plan");
        if (source == null || source.isEmpty() || source.contains("/")) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "prune: source name '" + source + "' is invalid: a single path segment is needed");
        }
        Instant now = clock.instant();
        String prefix = source + "/";
        Map<String, List<ObjectInfo>> groups = new TreeMap<>();
        for (ObjectInfo o : storage.listAll(prefix)) {
            String rest = o.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                groups.computeIfAbsent(rest.substring(0, slash), k -> new ArrayList<>()).add(o);
            }
        }

        // after the listing: a running backup's marker predates every object of it that was listed
        Map<String, Optional<Lease.Holder>> markers = RunningMarker.markers(markerStorage, source);

        Set<String> keptIds = new HashSet<>();
        plan.kept().forEach(b -> keptIds.add(b.id()));
        Set<String> removedIds = new HashSet<>();
        List<String> backupsRemoved = new ArrayList<>();
        List<String> unfinishedRemoved = new ArrayList<>();
        Map<String, BackupException> errors = new LinkedHashMap<>();
        Map<String, String> held = new LinkedHashMap<>();
        Optional<DeletionGuard> guard = storage.capability(DeletionGuard.class);
        long[] totals = new long[2]; // objects, bytes

        List<BackupInfo> oldestFirst = new ArrayList<>(plan.removed());
        oldestFirst.sort(Comparator.comparing(BackupInfo::time).thenComparing(BackupInfo::id));
        for (BackupInfo b : oldestFirst) {
            removedIds.add(b.id());
            if (keptIds.contains(b.id())) {
                errors.put(b.id(), new BackupException(CoreErrorCode.INTERNAL,
                        "backup " + b.id() + " is both kept and removed by the plan: not deleted"));
                continue;
            }
            if (b.isLockedAt(now)) {
                // the plan was made at another time; the lock is authoritative
                errors.put(b.id(), new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "backup " + b.id()
                        + " is object-locked until " + b.lockedUntil().get() + " at " + now + ": not deleted; re-plan"));
                continue;
            }
            List<ObjectInfo> objects = groups.getOrDefault(b.id(), List.of());
            String manifestKey = prefix + b.id() + "/" + MANIFEST;
            if (isHeld(source, b.id(), objects, guard, held, errors)) {
                continue;
            }
            if (deleteBackup(b.id(), manifestKey, objects, dry, errors, totals)) {
                backupsRemoved.add(b.id());
            }
        }

        Instant staleBefore = now.minus(gracePeriod);
        Set<String> unfinishedLeft = new HashSet<>();
        for (Map.Entry<String, List<ObjectInfo>> g : groups.entrySet()) {
            String id = g.getKey();
            String manifestKey = prefix + id + "/" + MANIFEST;
            if (removedIds.contains(id) || keptIds.contains(id)
                    || g.getValue().stream().anyMatch(o -> o.key().equals(manifestKey))) {
                continue;
            }
            unfinishedLeft.add(id);
            Optional<Lease.Holder> marker = markers.getOrDefault(id, Optional.empty());
            if (marker.isPresent() && RunningMarker.staleReason(marker.get(), now).isEmpty()) {
                LOG.info("prune {}: backup {} is in progress (running marker of {}): left in place", source, id,
                        marker.get().describe());
                continue;
            }
            Optional<Instant> age = uploadTime(id, g.getValue());
            if (age.isEmpty()) {
                LOG.warn("prune {}: unfinished upload {} has no modification time and no time in its id: left in place",
                        source, id);
                continue;
            }
            if (!age.get().isBefore(staleBefore)) {
                LOG.debug("prune {}: unfinished upload {} last written {} is within the grace period {}: left in place",
                        source, id, age.get(), gracePeriod);
                continue;
            }
            // an upload that committed since the listing is a backup now, not garbage
            if (!dry && storage.stat(manifestKey).isPresent()) {
                continue;
            }
            if (isHeld(source, id, g.getValue(), guard, held, errors)) {
                continue;
            }
            if (deleteObjects(id, g.getValue(), dry, errors, totals)) {
                unfinishedRemoved.add(id);
                unfinishedLeft.remove(id);
            }
        }

        // stale markers of backups that died: removed once nothing unfinished of theirs is left
        if (!dry && markerStorage == storage) {
            for (Map.Entry<String, Optional<Lease.Holder>> m : markers.entrySet()) {
                Optional<String> stale = m.getValue().flatMap(h -> RunningMarker.staleReason(h, now));
                if (stale.isPresent() && !unfinishedLeft.contains(m.getKey())) {
                    String key = RepositoryLayout.runningMarkerKey(source, m.getKey());
                    try {
                        storage.delete(key);
                        LOG.info("prune {}: removed the stale running marker {} ({})", source, key, stale.get());
                    } catch (BackupException e) {
                        LOG.warn("prune {}: deleting the stale running marker {} failed ({}): {}; a later prune retries",
                                source, key, e.errorCode().name(), e.getMessage());
                    }
                }
            }
        }

        List<String> temporaryFilesRemoved = storage.capability(FileSystemStorage.class)
                .map(fs -> fs.reclaimTemporaryFiles(prefix, staleBefore, dry)).orElse(List.of());
        if (!temporaryFilesRemoved.isEmpty()) {
            LOG.info("prune {}{}: {} temporary files of killed uploads older than {} removed: {}", source,
                    dry ? " (dry run)" : "", temporaryFilesRemoved.size(), staleBefore, temporaryFilesRemoved);
        }

        PruneResult result = new PruneResult(source, dry, backupsRemoved, unfinishedRemoved, totals[0], totals[1], errors,
                temporaryFilesRemoved, held);
        // DEBUG: the engine logs the one INFO line per prune outcome
        LOG.debug("prune {}{} on {}: {} backups and {} unfinished uploads removed, {} objects, {} bytes, {} errors",
                source, dry ? " (dry run)" : "", storage.describe(), backupsRemoved.size(), unfinishedRemoved.size(),
                totals[0], totals[1], errors.size());
        return result;
    }

    /**
     * Asks the deletion guard about every object of {@code id}; records the first held one in {@code held}
     * (or a failure to ask in {@code errors}). Returns whether the id must be left in place.
     */
    private boolean isHeld(String source, String id, List<ObjectInfo> objects, Optional<DeletionGuard> guard,
                           Map<String, String> held, Map<String, BackupException> errors) {
        if (guard.isEmpty()) {
            return false;
        }
        for (ObjectInfo o : objects) {
            Optional<String> blocker;
            try {
                blocker = guard.get().deletionBlocker(o.key());
            } catch (BackupException e) {
                LOG.warn("prune {}: asking {} whether {} may be deleted failed ({}): {}; {} left in place", source,
                        storage.describe(), o.key(), e.errorCode().name(), e.getMessage(), id);
                errors.put(id, e);
                return true;
            }
            if (blocker.isPresent()) {
                String reason = o.key() + " is under " + blocker.get();
                LOG.info("prune {}: {} is held and left whole: {}", source, id, reason);
                held.put(id, reason);
                return true;
            }
        }
        return false;
    }

    /** Manifest first, then data. Returns whether the backup is no longer listed. */
    private boolean deleteBackup(String id, String manifestKey, List<ObjectInfo> objects, boolean dry,
                                 Map<String, BackupException> errors, long[] totals) {
        List<ObjectInfo> data = new ArrayList<>(objects.size());
        ObjectInfo manifest = null;
        for (ObjectInfo o : objects) {
            if (o.key().equals(manifestKey)) {
                manifest = o;
            } else {
                data.add(o);
            }
        }
        if (manifest != null) {
            if (!delete(manifest, dry, id, errors, totals)) {
                return false; // still listed and whole
            }
        }
        deleteObjects(id, data, dry, errors, totals);
        return true;
    }

    /** Deletes every object, continuing past failures; returns whether all were deleted. */
    private boolean deleteObjects(String id, List<ObjectInfo> objects, boolean dry,
                                  Map<String, BackupException> errors, long[] totals) {
        boolean all = true;
        for (ObjectInfo o : objects) {
            all &= delete(o, dry, id, errors, totals);
        }
        return all;
    }

    private boolean delete(ObjectInfo o, boolean dry, String id, Map<String, BackupException> errors, long[] totals) {
        if (!dry) {
            try {
                storage.delete(o.key());
            } catch (BackupException e) {
                LOG.warn("prune: deleting {} on {} failed ({}): {}", o.key(), storage.describe(), e.errorCode().name(),
                        e.getMessage());
                BackupException first = errors.putIfAbsent(id, e);
                if (first != null && first != e) {
                    first.addSuppressed(e);
                }
                return false;
            }
            LOG.debug("prune: deleted {} ({} bytes)", o.key(), o.size());
        }
        totals[0]++;
        totals[1] += o.size();
        return true;
    }

    /** When an unfinished upload was last written: newest modification time, else the time in its id. */
    private static Optional<Instant> uploadTime(String id, List<ObjectInfo> objects) {
        Instant newest = null;
        for (ObjectInfo o : objects) {
            if (!Instant.EPOCH.equals(o.lastModified()) && (newest == null || o.lastModified().isAfter(newest))) {
                newest = o.lastModified();
            }
        }
        if (newest != null) {
            return Optional.of(newest);
        }
        return com.eazepay.backup.internal.BackupIds.time(id);
    }
}
