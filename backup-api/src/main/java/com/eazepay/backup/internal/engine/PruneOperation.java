package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.internal.Lease;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.internal.retention.PruneResult;
import com.eazepay.backup.internal.retention.Pruner;
import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PrunedBeside;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies each source's retention policy to the repository and every replica under the repository's
 * prune lease: plans from the manifests, pins, legal holds and verification reports, then deletes
 * (or, for a dry run, only plans). Thread-safe; concurrent prunes are serialized by the lease.
 */
public final class PruneOperation {

    private static final Logger LOG = LoggerFactory.getLogger(PruneOperation.class);

    private final EngineConfig config;
    private final RepositoryCatalog catalog;
    private final StorageTarget repository;

    public PruneOperation(EngineConfig config, RepositoryCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
        this.repository = config.repository();
    }

    /**
     * Prunes {@code requested} sources (every source with a policy when empty).
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if nothing has a policy; {@code NOT_FOUND} for an
     *                         unknown source; {@code ALREADY_RUNNING} if another prune holds the lease; storage codes
     */
    public PruneReport run(Set<String> requested, Duration grace, Duration leaseDuration, boolean dryRun) {
        config.checkOpen();
        List<String> names = sourcesToPrune(requested);
        Lease lease = dryRun ? null : Lease.acquire(repository, RepositoryLayout.PRUNE_LEASE, RepositoryLayout.PRUNE_TAKEOVER_PREFIX,
                "prune", leaseDuration, config.clock());
        if (lease != null) {
            lease.keepRenewed(leaseDuration, config.clock());
        }
        List<PruneReport.Entry> entries = new ArrayList<>();
        try {
            for (String name : names) {
                Set<String> pins = catalog.markerIds(repository, RepositoryLayout.PINS, name);
                Set<String> holds = catalog.markerIds(repository, RepositoryLayout.HOLDS, name);
                Map<String, List<String>> reports = catalog.verifyReports(name);
                RetentionPolicy primaryPolicy = config.retention().get(name);
                if (primaryPolicy != null) {
                    renew(lease, leaseDuration);
                    entries.add(pruneTarget(repository, true, name, primaryPolicy, pins, holds, reports, grace, dryRun));
                }
                for (StorageTarget replica : config.replicas()) {
                    RetentionPolicy p = config.replicaRetention().getOrDefault(replica, Map.of()).getOrDefault(name, primaryPolicy);
                    if (p != null) {
                        renew(lease, leaseDuration);
                        entries.add(pruneTarget(replica, false, name, p, pins, holds, reports, grace, dryRun));
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            if (lease != null) {
                try {
                    lease.close();
                } catch (RuntimeException release) {
                    e.addSuppressed(release);
                }
            }
            throw e;
        }
        if (lease != null) {
            try {
                lease.close();
            } catch (BackupException e) {
                // the prune itself is done; the lease ends by itself at its expiry
                LOG.warn("releasing the prune lease {} on {} failed ({}): {}; it expires at {}", RepositoryLayout.PRUNE_LEASE,
                        repository.describe(), e.errorCode().name(), e.getMessage(), lease.holder().expiresAt());
            }
        }
        return new PruneReport(dryRun, entries,
                lease == null ? Optional.empty() : lease.takenOver().map(Lease.Takeover::describe));
    }

    private List<String> sourcesToPrune(Set<String> requested) {
        List<String> names = new ArrayList<>();
        if (requested.isEmpty()) {
            for (String name : config.sources().keySet()) {
                if (hasPolicy(name)) {
                    names.add(name);
                }
            }
            if (names.isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "nothing to prune: no source has a retention "
                        + "policy; call retention(source, RetentionPolicy.builder()...build()) on the engine builder");
            }
            return names;
        }
        for (String name : requested) {
            config.source(name);
            if (!hasPolicy(name)) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "source '" + name + "' has no retention "
                        + "policy: call retention(\"" + name + "\", policy) on the engine builder");
            }
            names.add(name);
        }
        return names;
    }

    /** Extends the lease before each source and target, so only one target's prune must fit in the lease duration. */
    private void renew(Lease lease, Duration leaseDuration) {
        if (lease != null) {
            lease.renew(leaseDuration, config.clock());
        }
    }

    private boolean hasPolicy(String name) {
        return config.retention().containsKey(name) || config.replicaRetention().values().stream().anyMatch(m -> m.containsKey(name));
    }

    private PruneReport.Entry pruneTarget(StorageTarget target, boolean primary, String name, RetentionPolicy policy,
                                          Set<String> pins, Set<String> holds, Map<String, List<String>> reports,
                                          Duration grace, boolean dryRun) {
        Set<String> targetPins = pins;
        Set<String> targetHolds = holds;
        if (!primary) {
            // a replica's own markers count too: never remove what either copy says to keep
            targetPins = new HashSet<>(pins);
            targetPins.addAll(catalog.markerIds(target, RepositoryLayout.PINS, name));
            targetHolds = new HashSet<>(holds);
            targetHolds.addAll(catalog.markerIds(target, RepositoryLayout.HOLDS, name));
        }
        List<ObjectInfo> objects = target.listAll(name + "/");
        // bytes a removal frees: every object of the backup as listed (streams and manifest)
        Map<String, Long> bytesById = new HashMap<>();
        for (ObjectInfo o : objects) {
            String rest = o.key().substring(name.length() + 1);
            int slash = rest.indexOf('/');
            if (slash > 0) {
                bytesById.merge(rest.substring(0, slash), o.size(), Long::sum);
            }
        }
        List<BackupInfo> infos = new ArrayList<>();
        Map<String, Manifest> manifests = new java.util.LinkedHashMap<>();
        for (ObjectInfo o : objects) {
            String id = RepositoryLayout.backupIdOfManifestKey(name, o.key());
            if (id != null) {
                Manifest m = catalog.readManifest(target, name, id);
                manifests.put(id, m);
                infos.add(BackupInfo.of(m).withStoredBytes(bytesById.getOrDefault(id, 0L))
                        .withPinned(targetPins.contains(id)).withLegalHold(targetHolds.contains(id)));
            }
        }
        // only the newest verified backup is protected, so read reports newest backup first and stop at the first pass
        infos.sort(Comparator.comparing(BackupInfo::time).thenComparing(BackupInfo::id).reversed());
        for (int i = 0; i < infos.size(); i++) {
            List<String> keys = reports.get(infos.get(i).id());
            if (keys != null && catalog.newestReportPassed(keys)) {
                infos.set(i, infos.get(i).withVerified(true));
                break;
            }
        }
        RetentionPlan plan = policy.plan(infos, config.clock().instant());
        Pruner pruner = new Pruner(target, config.clock()).withGracePeriod(grace).withRunningMarkersFrom(repository);
        PruneResult r = dryRun ? pruner.dryRun(name, plan) : pruner.run(name, plan);
        // what the source keeps beside its backups (a WAL archive) follows what is still there; a backup whose
        // removal failed is still there, so it counts as kept
        Set<String> removed = new HashSet<>(r.backupsRemoved());
        List<Manifest> kept = manifests.values().stream().filter(m -> !removed.contains(m.id())).toList();
        PrunedBeside beside = config.source(name).afterPrune(target, kept, dryRun);
        if (!beside.isEmpty()) {
            LOG.info("prune of '{}' on {}: {} {} {} beside the backups ({} objects, {} bytes)", name, target.describe(),
                    dryRun ? "would remove" : "removed", beside.files().size(), beside.kind(), beside.keys().size(), beside.bytes());
        }
        if (!dryRun) {
            LOG.info("prune of '{}' on {}: {} of {} backups removed, {} unfinished uploads removed, {} bytes freed{}", name,
                    target.describe(), r.backupsRemoved().size(), infos.size(), r.unfinishedRemoved().size(), r.bytesFreed(),
                    r.errors().isEmpty() ? "" : ", FAILED for " + r.errors().keySet());
            config.publish(new BackupEvent.Pruned(name, target.describe(), r.backupsRemoved().size(),
                    r.bytesFreed() + beside.bytes(), config.clock().instant()));
        }
        return new PruneReport.Entry(name, target.describe(), primary, plan, r.backupsRemoved(), r.unfinishedRemoved(),
                r.objectsDeleted(), r.bytesFreed(), r.errors(), beside);
    }
}
