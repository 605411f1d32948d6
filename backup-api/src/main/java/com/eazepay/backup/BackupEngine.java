package com.eazepay.backup;

import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.internal.codec.CompressionCodecs;
import com.eazepay.backup.internal.BackupIds;
import com.eazepay.backup.internal.DecodedStreams;
import com.eazepay.backup.internal.DefaultBackupContext;
import com.eazepay.backup.internal.RunningMarker;
import com.eazepay.backup.internal.DefaultRestoreContext;
import com.eazepay.backup.internal.Json;
import com.eazepay.backup.internal.Keys;
import com.eazepay.backup.internal.Lease;
import com.eazepay.backup.internal.PipelineThreads;
import com.eazepay.backup.internal.Replicator;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.internal.retention.PruneResult;
import com.eazepay.backup.internal.retention.Pruner;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes, lists, verifies and restores backups of its sources in one repository (plus replicas).
 * Immutable and thread-safe; built once with {@link Backup#engine()}. Closing it shuts down the
 * threads it created; it never closes storage targets or sources passed to the builder.
 *
 * <pre>{@code
 * try (BackupEngine engine = Backup.engine()
 *         .repository(FileSystemStorage.at(Path.of("/var/backups/eazepay")))   // or S3Storage / GcsStorage
 *         .replica(FileSystemStorage.at(Path.of("/mnt/offsite")))             // optional, any number
 *         .compression(Compression.zstd())                                     // default zstd level 1
 *         .encryption(AgeEncryption.toRecipients("age1...ops", "age1...escrow")) // required: or Encryption.none()
 *         .source(FilesSource.builder("config").directory(Path.of("/etc/payments")).build())
 *         .listener(event -> metrics.record(event))
 *         .build()) {
 *
 *     BackupResult pre = engine.backup("config").trigger(Trigger.PRE_DEPLOY).tag("pre-deploy").label("release", "1.4.2").run();
 *     BackupSetResult all = engine.backupAll().tag("pre-deploy").run().orThrow();
 *     VerificationReport report = engine.verify("config").latest().run();
 *     RestoreResult restored = engine.restore("config").before(breachTime)
 *             .into(FilesTarget.directory(Path.of("/srv/restore"))).run();
 *     engine.pin("config", pre.id());                                        // never pruned until unpinned
 *     String dryRun = engine.prune().dryRun().toTable();                     // with .retention("config", policy) set
 *     PruneReport pruned = engine.prune().run().orThrow();
 * }
 * }</pre>
 *
 * <p>A backup is committed when its manifest is stored: until then nothing of it is listed or
 * restorable, and any failure (source, codec, storage) fails the whole backup, deletes what was
 * stored of it, emits {@link BackupEvent.BackupFailed} and throws {@link BackupException}. After the
 * commit, nothing rolls the backup back: replicas are copied then, and a replica failure is reported
 * ({@link BackupEvent.ReplicaFailed}; with {@link Builder#replicaFailureFailsBackup(boolean)} also a
 * {@code REPLICA_FAILED} exception saying the backup is committed) but leaves the committed backup intact.
 * At most 32 streams (of all backups and rekeys of the engine) are written at once; opening one more
 * waits until one ends.
 */
public final class BackupEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackupEngine.class);
    private static final String LIBRARY_VERSION = libraryVersion();

    private static String libraryVersion() {
        try (InputStream in = BackupEngine.class.getResourceAsStream("version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }

    private final StorageTarget repository;
    private final List<StorageTarget> replicas;
    private final Compression compression;
    private final CompressionCodecs codecs;
    private final Encryption encryption;
    private final Map<String, BackupSource> sources;
    private final List<BackupListener> listeners;
    private final Clock clock;
    private final boolean replicaFailureFailsBackup;
    private final Duration objectLock;
    private final Map<String, RetentionPolicy> retention;
    private final Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention;
    private final PipelineThreads executor;
    private final boolean allowPlaintextSensitive;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean repositoryChecked = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private BackupEngine(Builder b) {
        this.repository = b.repository;
        this.replicas = List.copyOf(b.replicas);
        this.compression = b.compression;
        this.codecs = b.codecs;
        this.encryption = b.encryption;
        this.sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.sources));
        this.listeners = List.copyOf(b.listeners);
        this.clock = b.clock;
        this.replicaFailureFailsBackup = b.replicaFailureFailsBackup;
        this.objectLock = b.objectLock;
        this.retention = Map.copyOf(b.retention);
        IdentityHashMap<StorageTarget, Map<String, RetentionPolicy>> rr = new IdentityHashMap<>();
        b.replicaRetention.forEach((t, m) -> rr.put(t, Map.copyOf(m)));
        this.replicaRetention = java.util.Collections.unmodifiableMap(rr);
        this.allowPlaintextSensitive = b.allowPlaintextSensitive;
        this.executor = PipelineThreads.create(PipelineThreads.DEFAULT_MAX_STREAMS, "eazepay-backup-upload-");
    }

    // ------------------------------------------------------------------ requests

    /**
     * A backup of one source, to configure and {@code run()}.
     *
     * @throws BackupException {@code NOT_FOUND} if no source has that name
     */
    public BackupRequest backup(String sourceName) {
        return new BackupRequest(this, source(sourceName));
    }

    /** A backup of every source under one set id (the pre-deploy use case). */
    public BackupAllRequest backupAll() {
        return new BackupAllRequest(this);
    }

    /** A restore of one source's backup, to configure and {@code run()}. */
    public RestoreRequest restore(String sourceName) {
        return new RestoreRequest(this, source(sourceName));
    }

    /** An integrity verification of one source's backup. */
    public VerifyRequest verify(String sourceName) {
        return new VerifyRequest(this, sourceName);
    }

    /** A re-encryption of a source's backups to new recipients (key rotation). */
    public RekeyRequest rekey(String sourceName) {
        Keys.requireName("source name", sourceName);
        return new RekeyRequest(this, sourceName);
    }

    List<Manifest> runRekey(String sourceName, String id, Encryption to) {
        checkOpen();
        refusePlaintextRekey(sourceName, to);
        com.eazepay.backup.internal.Rekeyer rekeyer = new com.eazepay.backup.internal.Rekeyer(repository, clock, executor);
        List<Manifest> targets = id != null ? List.of(readManifest(sourceName, id)) : list(sourceName);
        List<Manifest> done = new ArrayList<>();
        for (Manifest m : targets) {
            if (!"none".equals(m.encryption() == null ? "none" : m.encryption().id())) {
                done.add(rekeyer.rekey(m, decryptionFor(m), to));
            }
        }
        return done;
    }

    /** The backup's guard against plaintext, for rekeys: a rekey to none must not decrypt what a backup would refuse to store plainly. */
    private void refusePlaintextRekey(String sourceName, Encryption to) {
        if (!"none".equals(to.id()) || allowPlaintextSensitive) {
            return;
        }
        BackupSource s = sources.get(sourceName);
        if (s == null || s.sensitive()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "rekey of '" + sourceName + "' to Encryption.none() "
                    + "would store " + (s == null ? "the backups of a source this engine does not know (so cannot tell whether it "
                    + "is sensitive)" : "sensitive data") + " in plaintext: rekey to AgeEncryption.toRecipients(..), or build the "
                    + "engine with allowUnencryptedSensitiveData()");
        }
    }

    /** Committed backups of a source, oldest first, read from storage. */
    public List<Manifest> list(String sourceName) {
        return list(sourceName, BackupFilter.all());
    }

    /**
     * Committed backups of a source matching {@code filter}, oldest first (by start time, then id),
     * read from storage.
     */
    public List<Manifest> list(String sourceName, BackupFilter filter) {
        Objects.requireNonNull(filter, "filter");
        Keys.requireName("source name", sourceName);
        List<Manifest> manifests = new ArrayList<>();
        for (ObjectInfo o : repository.listAll(sourceName + "/")) {
            String id = RepositoryLayout.backupIdOfManifestKey(sourceName, o.key());
            if (id == null) {
                continue;
            }
            Manifest m = readManifest(sourceName, id);
            if (filter.test(m)) {
                manifests.add(m);
            }
        }
        // by start time first: ids of earlier versions have second resolution, and two formats mix in old repositories
        manifests.sort(Comparator.comparing(Manifest::startedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Manifest::id));
        return manifests;
    }

    /** The newest committed backup of a source, if any. */
    public Optional<Manifest> latest(String sourceName) {
        List<Manifest> all = list(sourceName);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The manifest of one backup.
     *
     * @throws BackupException {@code NOT_FOUND} if it is not committed; {@code CORRUPT_DATA} if unreadable
     */
    public Manifest manifest(String sourceName, String backupId) {
        return readManifest(sourceName, backupId);
    }

    /** Names of the configured sources, in the order added. */
    public Set<String> sourceNames() {
        return sources.keySet();
    }

    /** The primary repository's description. */
    public String describeRepository() {
        return repository.describe();
    }

    // ------------------------------------------------------------------ pins, holds, prune

    /**
     * Pins a committed backup: retention never removes it until {@link #unpin}. Stored as
     * {@code pins/{source}/{backupId}.json} in the repository and (best effort, WARN on failure) in
     * every replica. Idempotent.
     *
     * @throws BackupException {@code NOT_FOUND} if the backup is not committed; storage codes if the
     *                         marker cannot be written to the repository
     */
    public void pin(String sourceName, String backupId) {
        setMarker(sourceName, backupId, RepositoryLayout.pinKey(sourceName, backupId), "pin", true);
    }

    /**
     * Removes a pin (a no-op if there is none). The backup is then subject to retention again.
     *
     * @throws BackupException storage codes if the marker cannot be deleted from the repository
     */
    public void unpin(String sourceName, String backupId) {
        setMarker(sourceName, backupId, RepositoryLayout.pinKey(sourceName, backupId), "pin", false);
    }

    /**
     * Places ({@code true}) or lifts ({@code false}) a legal hold on a committed backup: retention
     * never removes a held backup. Stored as {@code holds/{source}/{backupId}.json} in the repository
     * and (best effort) in every replica. Idempotent.
     *
     * @throws BackupException {@code NOT_FOUND} if placing a hold on a backup that is not committed;
     *                         storage codes if the marker cannot be written or deleted
     */
    public void legalHold(String sourceName, String backupId, boolean hold) {
        if (hold) {
            setMarker(sourceName, backupId, RepositoryLayout.holdKey(sourceName, backupId), "legal hold", true);
            storageLegalHolds(sourceName, backupId, true);
        } else {
            // lift the store's holds first: if that fails, the marker still says the backup is held
            storageLegalHolds(sourceName, backupId, false);
            setMarker(sourceName, backupId, RepositoryLayout.holdKey(sourceName, backupId), "legal hold", false);
        }
    }

    /** The store's own hold (S3 Object Lock legal hold, GCS temporary hold) on every object of the backup, where supported. */
    private void storageLegalHolds(String sourceName, String backupId, boolean hold) {
        checkOpen();
        List<StorageTarget> targets = new ArrayList<>();
        targets.add(repository);
        targets.addAll(replicas);
        for (StorageTarget t : targets) {
            try {
                Manifest m = readManifest(t, sourceName, backupId);
                List<String> keys = new ArrayList<>();
                for (Manifest.StreamInfo s : m.streams()) {
                    keys.add(RepositoryLayout.streamKey(sourceName, backupId, s.object()));
                }
                keys.add(RepositoryLayout.manifestKey(sourceName, backupId));
                int held = 0;
                for (String k : keys) {
                    held += t.legalHold(k, hold) ? 1 : 0;
                }
                if (held > 0) {
                    LOG.info("storage legal hold {} {} object(s) of backup {} of '{}' on {}", hold ? "placed on" : "lifted from",
                            held, backupId, sourceName, t.describe());
                }
            } catch (BackupException e) {
                if (t == repository && !(e.errorCode() == CoreErrorCode.NOT_FOUND && !hold)) {
                    throw e;
                }
                LOG.warn("{} the storage legal hold of backup {} of '{}' on {} failed ({}): {}", hold ? "placing" : "lifting",
                        backupId, sourceName, t.describe(), e.errorCode().name(), e.getMessage());
            }
        }
    }

    /** Ids of the backups of {@code sourceName} that are pinned, read from the repository. */
    public Set<String> pinned(String sourceName) {
        Keys.requireName("source name", sourceName);
        return markerIds(repository, RepositoryLayout.PINS, sourceName);
    }

    /** Ids of the backups of {@code sourceName} under legal hold, read from the repository. */
    public Set<String> legalHolds(String sourceName) {
        Keys.requireName("source name", sourceName);
        return markerIds(repository, RepositoryLayout.HOLDS, sourceName);
    }

    /**
     * A prune of the sources that have a retention policy ({@link Builder#retention}), to configure
     * and {@link PruneRequest#dryRun() dry-run} or {@link PruneRequest#run() run}.
     */
    public PruneRequest prune() {
        return new PruneRequest(this);
    }

    private void setMarker(String sourceName, String backupId, String key, String what, boolean set) {
        checkOpen();
        Keys.requireName("source name", sourceName);
        Objects.requireNonNull(backupId, "backupId");
        if (!BackupIds.isValid(backupId)) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "'" + backupId + "' is not a backup id (like 20261124T020000.123Z-k3f9qa)");
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        if (set) {
            readManifest(sourceName, backupId); // NOT_FOUND unless committed
            doc.put("source", sourceName);
            doc.put("backupId", backupId);
            doc.put("kind", what);
            doc.put("at", clock.instant().toString());
        }
        List<StorageTarget> targets = new ArrayList<>();
        targets.add(repository);
        targets.addAll(replicas);
        for (StorageTarget t : targets) {
            try {
                if (set) {
                    putJson(t, key, doc);
                } else {
                    t.delete(key);
                }
            } catch (BackupException e) {
                if (t == repository) {
                    throw e;
                }
                LOG.warn("{} {} of backup {} of '{}' on replica {} failed ({}): {}; the repository's marker still applies",
                        set ? "setting" : "removing", what, backupId, sourceName, t.describe(), e.errorCode().name(), e.getMessage());
            }
        }
        LOG.info("{} {} backup {} of '{}'", what, set ? "set on" : "removed from", backupId, sourceName);
    }

    private static Set<String> markerIds(StorageTarget target, String kind, String sourceName) {
        String prefix = kind + "/" + sourceName + "/";
        Set<String> ids = new HashSet<>();
        for (ObjectInfo o : target.listAll(prefix)) {
            String id = RepositoryLayout.backupIdOfMarkerKey(prefix, o.key());
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static final Pattern VERIFY_REPORT = Pattern.compile("(" + BackupIds.REGEX + ")-(\\d{8}T\\d{6}Z)\\.json");
    private static final java.time.format.DateTimeFormatter REPORT_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);

    /**
     * Writes {@code reports/verify/{source}-{backupId}-{time}.json}. A failure to write it is
     * logged and never fails the verification or restore it records.
     */
    private void writeVerifyReport(Manifest m, String check, boolean passed, String detail) {
        Instant at = clock.instant();
        String key = RepositoryLayout.verifyReportKey(m.source(), m.id(), REPORT_TIME.format(at));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("source", m.source());
        doc.put("backupId", m.id());
        doc.put("check", check);
        doc.put("passed", passed);
        doc.put("at", at.toString());
        doc.put("detail", detail.length() > 4000 ? detail.substring(0, 4000) + "..." : detail);
        try {
            putJson(repository, key, doc);
        } catch (BackupException e) {
            LOG.warn("writing verification report {} to {} failed ({}): {}; retention will not count this result", key,
                    repository.describe(), e.errorCode().name(), e.getMessage());
        }
    }

    private static void putJson(StorageTarget target, String key, Object doc) {
        byte[] json = Json.write(doc);
        target.put(key, new ByteArrayInputStream(json), PutOptions.defaults().withContentLength(json.length)
                .withContentType("application/json"));
    }

    /**
     * Per backup id of {@code sourceName}, the keys of its verification reports, oldest first
     * (keys sort by time). Read from the repository.
     */
    private Map<String, List<String>> verifyReports(String sourceName) {
        String prefix = RepositoryLayout.VERIFY_REPORTS + sourceName + "-";
        Map<String, List<String>> byId = new HashMap<>();
        for (ObjectInfo o : repository.listAll(prefix)) {
            Matcher matcher = VERIFY_REPORT.matcher(o.key().substring(prefix.length()));
            if (matcher.matches()) {
                byId.computeIfAbsent(matcher.group(1), k -> new ArrayList<>()).add(o.key());
            }
        }
        return byId;
    }

    /** Whether the newest verification report of a backup passed. */
    private boolean newestReportPassed(List<String> keys) {
        String key = keys.get(keys.size() - 1);
        try (InputStream in = repository.get(key)) {
            Object passed = Json.read(in, Map.class, repository.describe() + "/" + key).get("passed");
            return Boolean.TRUE.equals(passed);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading " + key + " failed: " + e, e);
        } catch (BackupException e) {
            if (e.errorCode() == CoreErrorCode.CORRUPT_DATA || e.errorCode() == CoreErrorCode.NOT_FOUND) {
                LOG.warn("verification report {} is unreadable ({}): not counted", key, e.getMessage());
                return false;
            }
            throw e;
        }
    }

    PruneReport runPrune(Set<String> requested, Duration grace, Duration leaseDuration, boolean dryRun) {
        checkOpen();
        List<String> names = new ArrayList<>();
        if (requested.isEmpty()) {
            for (String name : sources.keySet()) {
                if (hasPolicy(name)) {
                    names.add(name);
                }
            }
            if (names.isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "nothing to prune: no source has a retention "
                        + "policy; call retention(source, RetentionPolicy.builder()...build()) on the engine builder");
            }
        } else {
            for (String name : requested) {
                source(name);
                if (!hasPolicy(name)) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "source '" + name + "' has no retention "
                            + "policy: call retention(\"" + name + "\", policy) on the engine builder");
                }
                names.add(name);
            }
        }
        Lease lease = dryRun ? null : Lease.acquire(repository, RepositoryLayout.PRUNE_LEASE, RepositoryLayout.PRUNE_TAKEOVER_PREFIX,
                "prune", leaseDuration, clock);
        if (lease != null) {
            lease.keepRenewed(leaseDuration, clock);
        }
        List<PruneReport.Entry> entries = new ArrayList<>();
        try {
            for (String name : names) {
                Set<String> pins = markerIds(repository, RepositoryLayout.PINS, name);
                Set<String> holds = markerIds(repository, RepositoryLayout.HOLDS, name);
                Map<String, List<String>> reports = verifyReports(name);
                RetentionPolicy primaryPolicy = retention.get(name);
                if (primaryPolicy != null) {
                    renew(lease, leaseDuration);
                    entries.add(pruneTarget(repository, true, name, primaryPolicy, pins, holds, reports, grace, dryRun));
                }
                for (StorageTarget replica : replicas) {
                    RetentionPolicy p = replicaRetention.getOrDefault(replica, Map.of()).getOrDefault(name, primaryPolicy);
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

    /** Extends the lease before each source and target, so only one target's prune must fit in the lease duration. */
    private void renew(Lease lease, Duration leaseDuration) {
        if (lease != null) {
            lease.renew(leaseDuration, clock);
        }
    }

    private boolean hasPolicy(String name) {
        return retention.containsKey(name) || replicaRetention.values().stream().anyMatch(m -> m.containsKey(name));
    }

    private PruneReport.Entry pruneTarget(StorageTarget target, boolean primary, String name, RetentionPolicy policy,
                                          Set<String> pins, Set<String> holds, Map<String, List<String>> reports,
                                          Duration grace, boolean dryRun) {
        Set<String> targetPins = pins;
        Set<String> targetHolds = holds;
        if (!primary) {
            // a replica's own markers count too: never remove what either copy says to keep
            targetPins = new HashSet<>(pins);
            targetPins.addAll(markerIds(target, RepositoryLayout.PINS, name));
            targetHolds = new HashSet<>(holds);
            targetHolds.addAll(markerIds(target, RepositoryLayout.HOLDS, name));
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
        for (ObjectInfo o : objects) {
            String id = RepositoryLayout.backupIdOfManifestKey(name, o.key());
            if (id != null) {
                Manifest m = readManifest(target, name, id);
                infos.add(BackupInfo.of(m).withStoredBytes(bytesById.getOrDefault(id, 0L))
                        .withPinned(targetPins.contains(id)).withLegalHold(targetHolds.contains(id)));
            }
        }
        // only the newest verified backup is protected, so read reports newest backup first and stop at the first pass
        infos.sort(Comparator.comparing(BackupInfo::time).thenComparing(BackupInfo::id).reversed());
        for (int i = 0; i < infos.size(); i++) {
            List<String> keys = reports.get(infos.get(i).id());
            if (keys != null && newestReportPassed(keys)) {
                infos.set(i, infos.get(i).withVerified(true));
                break;
            }
        }
        RetentionPlan plan = policy.plan(infos, clock.instant());
        Pruner pruner = new Pruner(target, clock).withGracePeriod(grace).withRunningMarkersFrom(repository);
        PruneResult r = dryRun ? pruner.dryRun(name, plan) : pruner.run(name, plan);
        if (!dryRun) {
            LOG.info("prune of '{}' on {}: {} of {} backups removed, {} unfinished uploads removed, {} bytes freed{}", name,
                    target.describe(), r.backupsRemoved().size(), infos.size(), r.unfinishedRemoved().size(), r.bytesFreed(),
                    r.errors().isEmpty() ? "" : ", FAILED for " + r.errors().keySet());
            publish(new BackupEvent.Pruned(name, target.describe(), r.backupsRemoved().size(), r.bytesFreed(), clock.instant()));
        }
        return new PruneReport.Entry(name, target.describe(), primary, plan, r.backupsRemoved(), r.unfinishedRemoved(),
                r.objectsDeleted(), r.bytesFreed(), r.errors());
    }

    private Manifest readManifest(String sourceName, String backupId) {
        return readManifest(repository, sourceName, backupId);
    }

    private Manifest readManifest(StorageTarget storage, String sourceName, String backupId) {
        String key = RepositoryLayout.manifestKey(sourceName, backupId);
        Manifest m;
        try (InputStream in = storage.get(key)) {
            m = Json.read(in, Manifest.class, key);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading " + key + " failed: " + e, e);
        }
        if (m.formatVersion() > Manifest.FORMAT_VERSION) {
            throw new BackupException(CoreErrorCode.VERSION_MISMATCH, key + " has manifest format " + m.formatVersion()
                    + " but this library (" + LIBRARY_VERSION + ") reads up to " + Manifest.FORMAT_VERSION + ": upgrade com.eazepay.backup");
        }
        if (!sourceName.equals(m.source()) || !backupId.equals(m.id())) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, key + " describes backup " + m.id() + " of '" + m.source()
                    + "': it was moved or edited by hand");
        }
        return m;
    }

    BackupSource source(String name) {
        BackupSource s = sources.get(name);
        if (s == null) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "no source named '" + name + "'; configured sources: " + sources.keySet());
        }
        return s;
    }

    // ------------------------------------------------------------------ backup

    BackupResult runBackup(BackupSource source, Trigger trigger, Set<String> tags, Map<String, String> labels, String setId) {
        checkOpen();
        if (!running.add(source.name())) {
            throw new BackupException(CoreErrorCode.ALREADY_RUNNING, "a backup of '" + source.name()
                    + "' is already running in this engine; wait for it to finish (backups of one source never interleave)");
        }
        try {
            return doBackup(source, trigger, tags, labels, setId);
        } finally {
            running.remove(source.name());
        }
    }

    private BackupResult doBackup(BackupSource source, Trigger trigger, Set<String> tags, Map<String, String> labels, String setId) {
        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        String id = BackupIds.generate(startedAt);
        publish(new BackupEvent.BackupStarted(source.name(), source.type(), id, trigger.id(), startedAt));
        Optional<Instant> lockUntil = objectLock == null ? Optional.empty() : Optional.of(startedAt.plus(objectLock));
        PutOptions dataOptions = lockUntil.map(PutOptions.forData()::withRetainUntil).orElse(PutOptions.forData());
        DefaultBackupContext ctx = new DefaultBackupContext(id, source.name(), clock, tags, labels, repository, compression,
                encryption, executor, dataOptions);
        RunningMarker marker = null; // locks/running/{source}/{id}.json: prune spares the objects while it lives
        BackupResult result;
        try {
            ensureRepository();
            marker = RunningMarker.start(repository, source.name(), id, clock);
            source.backup(ctx);
            List<Manifest.StreamInfo> streams = ctx.finish();
            Instant completedAt = clock.instant();
            Map<String, Object> facts = ctx.facts();
            lockUntil.ifPresent(until -> facts.put(Manifest.OBJECT_LOCK_UNTIL_FACT, until.toString()));
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, id, source.name(), source.type(), trigger.id(), tags, labels,
                    setId, startedAt, completedAt, Optional.ofNullable(ctx.consistentAtOrNull()).orElse(startedAt), LIBRARY_VERSION,
                    new Manifest.Codec(compression.id(), compression.parameters()),
                    new Manifest.Codec(encryption.id(), encryption.parameters()), streams, facts);
            byte[] json = Json.write(manifest);
            marker.checkBeforeCommit(streams); // every stream object still there, or no commit
            repository.put(RepositoryLayout.manifestKey(source.name(), id), new ByteArrayInputStream(json),
                    new PutOptions(json.length, "application/json", dataOptions.retainUntil())); // bookkeeping, locked alike
            Duration duration = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("backup {} of '{}' committed to {}: {} streams, {} bytes stored ({} plaintext) in {} ms", id, source.name(),
                    repository.describe(), streams.size(), manifest.storedBytes(), manifest.plaintextBytes(), duration.toMillis());
            publish(new BackupEvent.BackupSucceeded(source.name(), source.type(), id, duration, manifest.storedBytes(),
                    manifest.plaintextBytes(), clock.instant()));
            result = new BackupResult(manifest, duration);
        } catch (RuntimeException | Error e) {
            BackupException failure = toFailure(source, id, ctx, e);
            for (String key : ctx.abort(failure)) {
                try {
                    repository.delete(key);
                } catch (RuntimeException cleanup) {
                    failure.addSuppressed(cleanup);
                }
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("backup {} of '{}' FAILED after {} ms ({}): {}", id, source.name(), duration.toMillis(),
                    failure.errorCode().name(), failure.getMessage());
            publish(new BackupEvent.BackupFailed(source.name(), source.type(), id, duration, failure.errorCode(),
                    failure.getMessage(), clock.instant()));
            if (marker != null) {
                marker.close();
            }
            throw failure;
        }
        try {
            // after the commit point: a replica failure never rolls back the committed backup; the marker
            // lives until the replicas hold their copies, so a prune of a replica spares them meanwhile
            new Replicator(repository, replicas, clock, this::publish).replicate(result.manifest(), lockUntil, replicaFailureFailsBackup);
            return result;
        } finally {
            marker.close();
        }
    }

    private static BackupException toFailure(BackupSource source, String id, DefaultBackupContext ctx, Throwable e) {
        BackupException storage = ctx.storageFailure();
        if (storage != null && storage != e) {
            BackupException f = new BackupException(storage.errorCode(), "backup " + id + " of '" + source.name()
                    + "' failed: storing it failed: " + storage.getMessage(), storage, storage.isRetryable());
            f.addSuppressed(e);
            return f;
        }
        if (e instanceof BackupException be) {
            return new BackupException(be.errorCode(), "backup " + id + " of '" + source.name() + "' failed: " + be.getMessage(),
                    be, be.isRetryable());
        }
        return new BackupException(CoreErrorCode.INTERNAL, "backup " + id + " of '" + source.name() + "' failed unexpectedly: " + e, e);
    }

    private void ensureRepository() {
        if (repositoryChecked.get()) {
            return;
        }
        String key = RepositoryLayout.REPOSITORY_FILE;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", "eazepay-backup");
        doc.put("formatVersion", Manifest.FORMAT_VERSION);
        doc.put("createdAt", clock.instant().toString());
        doc.put("createdBy", "com.eazepay.backup " + LIBRARY_VERSION);
        byte[] json = Json.write(doc);
        if (!repository.putIfAbsent(key, new ByteArrayInputStream(json), PutOptions.defaults().withContentLength(json.length))) {
            Map<?, ?> existing;
            try (InputStream in = repository.get(key)) {
                existing = Json.read(in, Map.class, repository.describe() + "/" + key);
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading " + key + " failed: " + e, e);
            }
            Object version = existing.get("formatVersion");
            if (!(version instanceof Number v) || v.intValue() > Manifest.FORMAT_VERSION) {
                throw new BackupException(CoreErrorCode.VERSION_MISMATCH, "repository " + repository.describe() + " has format "
                        + version + " but this library reads up to " + Manifest.FORMAT_VERSION + ": upgrade com.eazepay.backup");
            }
        }
        repositoryChecked.set(true);
    }

    BackupSetResult runAll(Trigger trigger, Set<String> tags, Map<String, String> labels) {
        checkOpen();
        String setId = "set-" + BackupIds.generate(clock.instant());
        Map<String, BackupResult> ok = new LinkedHashMap<>();
        Map<String, BackupException> failed = new LinkedHashMap<>();
        for (BackupSource s : sources.values()) {
            try {
                ok.put(s.name(), runBackup(s, trigger, tags, labels, setId));
            } catch (BackupException e) {
                failed.put(s.name(), e);
            }
        }
        LOG.info("backup set {}: {} succeeded, {} failed{}", setId, ok.size(), failed.size(),
                failed.isEmpty() ? "" : " " + failed.keySet());
        return new BackupSetResult(setId, ok, failed);
    }

    // ------------------------------------------------------------------ restore and verify

    Manifest select(String sourceName, String id, Instant before, String tag) {
        if (id != null) {
            return readManifest(sourceName, id);
        }
        BackupFilter filter = BackupFilter.all();
        if (before != null) {
            filter = filter.before(before);
        }
        if (tag != null) {
            filter = filter.tagged(tag);
        }
        List<Manifest> candidates = list(sourceName, filter);
        if (candidates.isEmpty()) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "no committed backup of '" + sourceName + "' in "
                    + repository.describe() + " matches " + (before == null && tag == null ? "(any)" : filter));
        }
        return candidates.get(candidates.size() - 1);
    }

    private Compression compressionFor(Manifest m) {
        return m.compression() == null ? Compression.none() : codecs.forId(m.compression().id(), m.compression().parameters());
    }

    private Encryption decryptionFor(Manifest m) {
        String id = m.encryption() == null ? "none" : m.encryption().id();
        if ("none".equals(id)) {
            return Encryption.none();
        }
        if (!id.equals(encryption.id())) {
            throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "backup " + m.id() + " is encrypted with '" + id
                    + "' but this engine is configured with '" + encryption.id() + "': configure encryption(..) for '" + id + "'");
        }
        return encryption;
    }

    RestoreResult runRestore(BackupSource source, Manifest manifest, RestoreTarget target, boolean checks) {
        checkOpen();
        Objects.requireNonNull(target, "target: call into(..) with where to restore");
        long t0 = System.nanoTime();
        try {
            Encryption decryption = decryptionFor(manifest);
            if (!decryption.canDecrypt()) {
                throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "backup " + manifest.id() + " of '" + source.name()
                        + "' is encrypted and this engine has recipients only: configure an identity to restore");
            }
            DefaultRestoreContext ctx = new DefaultRestoreContext(manifest, clock, repository, compressionFor(manifest), decryption, checks);
            RestoreOutcome outcome;
            try {
                outcome = source.restore(ctx, target);
            } catch (BackupException e) {
                throw corruptionBehind(manifest, e);
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - t0);
            RestoreResult result = new RestoreResult(manifest, outcome.location(), outcome.checks(), outcome.facts(), duration);
            LOG.info("restore of backup {} of '{}' into {} finished in {} ms; checks {}", manifest.id(), source.name(),
                    outcome.location(), duration.toMillis(), result.checks().isEmpty() ? "none" : result.checksPassed() ? "passed" : "FAILED");
            publish(new BackupEvent.RestoreSucceeded(source.name(), manifest.id(), outcome.location(), duration,
                    result.checksPassed(), clock.instant()));
            if (checks) {
                writeVerifyReport(manifest, "restore", result.checksPassed(), "restore into " + outcome.location() + ": "
                        + result.checks().stream().map(c -> c.name() + (c.passed() ? " passed" : " FAILED")).toList());
            }
            if (checks && !result.checksPassed()) {
                throw new BackupException(CoreErrorCode.CHECK_FAILED, "restore of backup " + manifest.id() + " into "
                        + outcome.location() + " finished but checks failed: " + result.checks().stream()
                        .filter(c -> !c.passed()).map(c -> c.name() + " (" + c.detail() + ")").toList()
                        + "; the restored data was kept there for inspection");
            }
            return result;
        } catch (BackupException e) {
            if (e.errorCode() != CoreErrorCode.CHECK_FAILED) {
                Duration duration = Duration.ofNanos(System.nanoTime() - t0);
                LOG.info("restore of backup {} of '{}' into {} FAILED ({}): {}", manifest.id(), source.name(), target.describe(),
                        e.errorCode().name(), e.getMessage());
                publish(new BackupEvent.RestoreFailed(source.name(), manifest.id(), target.describe(), duration, e.errorCode(),
                        e.getMessage(), clock.instant()));
                if (checks) {
                    writeVerifyReport(manifest, "restore", false, "restore into " + target.describe() + " failed: "
                            + e.errorCode().name() + ": " + e.getMessage());
                }
            }
            throw e;
        }
    }

    /**
     * A source's parser may trip over corrupt bytes before the end of the stream, where the
     * checksum is checked. When a restore fails, re-check the stored objects so that corruption is
     * reported as such ({@code CHECKSUM_MISMATCH}, naming the object) and not as a parser error.
     */
    private BackupException corruptionBehind(Manifest manifest, BackupException failure) {
        if (failure.errorCode() == CoreErrorCode.CHECKSUM_MISMATCH || failure.errorCode() == CoreErrorCode.TARGET_NOT_EMPTY
                || failure.errorCode() == CoreErrorCode.INVALID_CONFIGURATION || failure.errorCode() == CoreErrorCode.INTERRUPTED) {
            return failure;
        }
        for (Manifest.StreamInfo s : manifest.streams()) {
            VerificationReport.StreamCheck check = verifyStored(manifest, s);
            // only a checksum verdict is a verdict: a re-read that fails on the storage proves nothing
            if (!check.passed() && check.detail().startsWith(CoreErrorCode.CHECKSUM_MISMATCH.name() + ":")) {
                return new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, check.detail().replaceFirst("^CHECKSUM_MISMATCH: ", "")
                        + " (the restore failed on it: " + failure.getMessage() + ")", failure);
            }
        }
        return failure;
    }

    VerificationReport runVerify(Manifest manifest) {
        checkOpen();
        long t0 = System.nanoTime();
        List<VerificationReport.StreamCheck> checks = new ArrayList<>();
        Encryption decryption = decryptionFor(manifest);
        boolean decode = decryption.canDecrypt();
        for (Manifest.StreamInfo s : manifest.streams()) {
            checks.add(decode ? verifyDecoded(manifest, s, decryption) : verifyStored(manifest, s));
        }
        VerificationReport report = new VerificationReport(manifest, checks, Duration.ofNanos(System.nanoTime() - t0));
        String detail = checks.stream().map(c -> c.name() + ": " + c.detail()).toList().toString();
        LOG.info("verification of backup {} of '{}' {}: {}", manifest.id(), manifest.source(), report.passed() ? "passed" : "FAILED", detail);
        writeVerifyReport(manifest, "integrity", report.passed(), detail);
        publish(new BackupEvent.BackupVerified(manifest.source(), manifest.id(), report.passed(), detail, clock.instant()));
        return report;
    }

    private VerificationReport.StreamCheck verifyDecoded(Manifest m, Manifest.StreamInfo s, Encryption decryption) {
        try (InputStream in = DecodedStreams.open(repository, m, s, compressionFor(m), decryption)) {
            long n = DecodedStreams.drain(in);
            return new VerificationReport.StreamCheck(s.name(), true, n, "SHA-256 and size of " + s.storedSize()
                    + " stored bytes match; decrypted and decompressed to " + n + " bytes");
        } catch (BackupException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, e.errorCode().name() + ": " + e.getMessage());
        } catch (IOException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, "read failed: " + e);
        }
    }

    private VerificationReport.StreamCheck verifyStored(Manifest m, Manifest.StreamInfo s) {
        String key = RepositoryLayout.streamKey(m.source(), m.id(), s.object());
        try (InputStream in = new com.eazepay.backup.internal.io.VerifyingInputStream(repository.get(key), key, s.storedSize(), s.sha256())) {
            DecodedStreams.drain(in);
            return new VerificationReport.StreamCheck(s.name(), true, -1, "SHA-256 and size of " + s.storedSize()
                    + " stored bytes match; not decrypted (this engine has no identity)");
        } catch (BackupException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, e.errorCode().name() + ": " + e.getMessage());
        } catch (IOException e) {
            return new VerificationReport.StreamCheck(s.name(), false, -1, "read failed: " + e);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private void publish(BackupEvent event) {
        for (BackupListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("listener {} threw on {}: {}", l, event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "this BackupEngine is closed");
        }
    }

    Clock clock() {
        return clock;
    }

    /** Shuts down the engine's upload threads. Does not close storage targets or sources. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            executor.shutdown();
        }
    }

    @Override
    public String toString() {
        return "BackupEngine[repository=" + repository.describe() + ", sources=" + sources.keySet() + ", compression="
                + compression.id() + ", encryption=" + encryption.id() + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link BackupEngine}. Setters reject bad values at once; {@link #build()} checks
     * combinations and reports every problem in one {@code INVALID_CONFIGURATION} exception.
     * Not thread-safe.
     */
    public static final class Builder {
        private StorageTarget repository;
        private final List<StorageTarget> replicas = new ArrayList<>();
        private CompressionCodecs codecs;
        private Compression compression;
        private Encryption encryption;
        private boolean allowPlaintextSensitive;
        private final Map<String, BackupSource> sources = new LinkedHashMap<>();
        private final List<String> duplicateSources = new ArrayList<>();
        private final List<BackupListener> listeners = new CopyOnWriteArrayList<>();
        private Clock clock;
        private boolean replicaFailureFailsBackup;
        private Duration objectLock;
        private final Map<String, RetentionPolicy> retention = new LinkedHashMap<>();
        private final Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention = new IdentityHashMap<>();

        Builder() {
        }

        private static void once(Object current, String setting) {
            if (current != null) {
                throw new IllegalStateException(setting + " was already set");
            }
        }

        /** The primary repository. Required. */
        public Builder repository(StorageTarget storage) {
            once(repository, "repository");
            this.repository = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /** A replica: every committed backup is copied there after commit. Optional, any number. */
        public Builder replica(StorageTarget storage) {
            replicas.add(Objects.requireNonNull(storage, "storage"));
            return this;
        }

        /**
         * Stores every object of every new backup (data and manifest) under object lock until
         * {@code retainFor} after the backup started, so a compromised service cannot delete or
         * overwrite it, and records the date in the manifest ({@link Manifest#OBJECT_LOCK_UNTIL_FACT})
         * so retention never plans to remove it earlier. The repository must support object lock
         * (S3 with {@code objectLock(..)}); replicas that do are locked too. Default: no lock.
         * Choose at least the shortest time the retention policy keeps a backup (e.g. 30 days).
         */
        public Builder objectLock(Duration retainFor) {
            once(this.objectLock, "objectLock");
            Objects.requireNonNull(retainFor, "retainFor");
            if (retainFor.isNegative() || retainFor.isZero()) {
                throw new IllegalArgumentException("objectLock duration must be positive, was " + retainFor);
            }
            this.objectLock = retainFor;
            return this;
        }

        /**
         * Whether a replica failure fails the backup's {@code run()}. Either way the failure is published as
         * {@link BackupEvent.ReplicaFailed} and the backup stays committed in the repository (the commit
         * point has passed); with {@code true}, {@code run()} then throws {@code REPLICA_FAILED}, whose
         * message says so. Default {@code false}.
         */
        public Builder replicaFailureFailsBackup(boolean fails) {
            this.replicaFailureFailsBackup = fails;
            return this;
        }

        /** Compression of new backups. Default {@link Compression#zstd()} (level 1). */
        public Builder compression(Compression compression) {
            once(this.compression, "compression");
            this.compression = Objects.requireNonNull(compression, "compression");
            return this;
        }

        /**
         * Encryption of new backups, and decryption of existing ones. Required: choose age, or
         * {@link Encryption#none()} explicitly.
         */
        public Builder encryption(Encryption encryption) {
            once(this.encryption, "encryption");
            this.encryption = Objects.requireNonNull(encryption, "encryption");
            return this;
        }

        /**
         * Allows sources marked sensitive (database dumps, env files, private keys) to be stored
         * unencrypted when {@code Encryption.none()} is chosen. Default: refused at {@link #build()}.
         */
        public Builder allowUnencryptedSensitiveData() {
            this.allowPlaintextSensitive = true;
            return this;
        }

        /** Adds a source; names must be unique. */
        public Builder source(BackupSource source) {
            Objects.requireNonNull(source, "source");
            if (sources.putIfAbsent(source.name(), source) != null) {
                duplicateSources.add(source.name());
            }
            return this;
        }

        /** Adds a listener for {@link BackupEvent}s. */
        public Builder listener(BackupListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The retention policy of a source, applied by {@link BackupEngine#prune()} to the primary
         * repository and to every replica that has no policy of its own for the source. Default: none
         * (the source is never pruned). {@link #build()} fails if {@code sourceName} is not a configured source.
         *
         * @throws IllegalStateException if the source already has a policy
         */
        public Builder retention(String sourceName, RetentionPolicy policy) {
            Objects.requireNonNull(sourceName, "sourceName");
            Objects.requireNonNull(policy, "policy");
            if (retention.putIfAbsent(sourceName, policy) != null) {
                throw new IllegalStateException("retention of '" + sourceName + "' was already set");
            }
            return this;
        }

        /**
         * A replica's own retention policy for a source (e.g. keep more off-site). Default: the
         * source's {@link #retention} policy. {@code replica} must be passed to {@link #replica} too
         * (the same instance), and {@code sourceName} be a configured source; {@link #build()} checks.
         *
         * @throws IllegalStateException if this replica already has a policy for the source
         */
        public Builder replicaRetention(StorageTarget replica, String sourceName, RetentionPolicy policy) {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(sourceName, "sourceName");
            Objects.requireNonNull(policy, "policy");
            if (replicaRetention.computeIfAbsent(replica, r -> new LinkedHashMap<>()).putIfAbsent(sourceName, policy) != null) {
                throw new IllegalStateException("retention of '" + sourceName + "' on replica " + replica.describe() + " was already set");
            }
            return this;
        }

        /** The clock for backup ids and manifest times. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the engine.
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem found
         */
        public BackupEngine build() {
            List<String> problems = new ArrayList<>();
            if (repository == null) {
                problems.add("no storage: call repository(..) with FileSystemStorage.at(path); for cloud storage add "
                        + "com.eazepay.backup:backup-storage-s3 or backup-storage-gcs");
            }
            if (encryption == null) {
                problems.add("no encryption: call encryption(AgeEncryption.toRecipients(\"age1...\")), or encryption(Encryption.none()) "
                        + "to store plaintext on purpose");
            }
            if (sources.isEmpty()) {
                problems.add("no sources: call source(..), e.g. FilesSource, CommandSource, or add backup-postgres / backup-mongo / backup-redis");
            }
            for (String d : duplicateSources) {
                problems.add("duplicate source name '" + d + "': every source needs its own name");
            }
            for (String name : sources.keySet()) {
                SourceNames.problem(name).ifPresent(problems::add);
            }
            List<String> unknownRetention = new ArrayList<>();
            for (String name : retention.keySet()) {
                if (!sources.containsKey(name)) {
                    unknownRetention.add(name);
                }
            }
            for (Map<String, RetentionPolicy> m : replicaRetention.values()) {
                for (String name : m.keySet()) {
                    if (!sources.containsKey(name) && !unknownRetention.contains(name)) {
                        unknownRetention.add(name);
                    }
                }
            }
            if (!unknownRetention.isEmpty()) {
                problems.add("retention policies name unknown sources " + unknownRetention + ": configured sources are "
                        + sources.keySet());
            }
            for (StorageTarget r : replicaRetention.keySet()) {
                if (replicas.stream().noneMatch(x -> x == r)) {
                    problems.add("replicaRetention(..) names " + r.describe() + ", which is not a replica: pass the same "
                            + "instance to replica(..)");
                }
            }
            if (encryption != null && "none".equals(encryption.id()) && !allowPlaintextSensitive) {
                List<String> sensitive = sources.values().stream().filter(BackupSource::sensitive).map(BackupSource::name).toList();
                if (!sensitive.isEmpty()) {
                    problems.add("sources " + sensitive + " hold sensitive data and encryption is none: configure "
                            + "encryption(AgeEncryption.toRecipients(..)), or call allowUnencryptedSensitiveData() to store them in plaintext");
                }
            }
            if (objectLock != null && repository != null && !repository.supportsObjectLock()) {
                problems.add("objectLock(" + objectLock + ") needs a repository with object lock, but " + repository.describe()
                        + " has none: use S3Storage with objectLock(ObjectLockMode.COMPLIANCE) on a bucket created with Object Lock");
            }
            codecs = CompressionCodecs.load();
            if (compression != null) {
                codecs.problemWriting(compression).ifPresent(problems::add);
            }
            if (!problems.isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "cannot build BackupEngine: " + String.join("; ", problems));
            }
            if (compression == null) {
                compression = Compression.zstd();
            }
            if (clock == null) {
                clock = Clock.systemUTC();
            }
            return new BackupEngine(this);
        }
    }

    /**
     * An off-site copy of committed backups (already encrypted) to another storage target, verified by
     * SHA-256 while copying, manifest last, resumable: see {@link CopyRequest}.
     */
    public CopyRequest copy() {
        checkOpen();
        return new CopyRequest(this, repository);
    }
}
