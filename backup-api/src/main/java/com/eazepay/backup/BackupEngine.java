package com.eazepay.backup;

import com.eazepay.backup.internal.Keys;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.internal.engine.BackupOperation;
import com.eazepay.backup.internal.engine.EngineConfig;
import com.eazepay.backup.internal.engine.PruneOperation;
import com.eazepay.backup.internal.engine.RekeyOperation;
import com.eazepay.backup.internal.engine.RepositoryCatalog;
import com.eazepay.backup.internal.engine.RestoreOperation;
import com.eazepay.backup.internal.engine.Selection;
import com.eazepay.backup.internal.schedule.DefaultScheduler;
import com.eazepay.backup.internal.schedule.ObjectiveCheck;
import com.eazepay.backup.internal.schedule.ScheduleConfig;
import com.eazepay.backup.internal.schedule.StatusSnapshot;
import com.eazepay.backup.internal.schedule.StatusTracker;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Takes, lists, verifies and restores backups of its sources in one repository (plus replicas).
 * Immutable and thread-safe; built once with {@link Backup#engine()}. Closing it shuts down the
 * threads it created; it never closes storage targets or sources passed to the builder.
 *
 * <pre>{@code
 * try (BackupEngine engine = Backup.engine()
 *         .repository(FileSystemStorage.at(Path.of("/var/backups/eazepay")))   // or S3Storage / GcsStorage
 *         .replica(FileSystemStorage.at(Path.of("/mnt/offsite")))             // optional, any number
 *         .compression(Codecs.zstd())                                          // default zstd level 1
 *         .encryption(AgeEncryption.toRecipients("age1...ops", "age1...escrow")) // required: or Codecs.noEncryption()
 *         .source(FilesSource.builder("config").directory(Path.of("/etc/payments")).build())
 *         .listener(event -> metrics.record(event))
 *         .build()) {
 *
 *     BackupResult pre = engine.backup("config").trigger(Trigger.PRE_DEPLOY).tag("pre-deploy").label("release", "1.4.2").run();
 *     BackupSetResult all = engine.backupAll().tag("pre-deploy").run().orThrow();
 *     VerificationReport report = engine.verify("config").latest().run().orThrow();   // CHECKSUM_MISMATCH if corrupt
 *     RestoreResult restored = engine.restore("config").before(breachTime)
 *             .into(FilesTarget.directory(Path.of("/srv/restore"))).checked().run(); // CHECK_FAILED if checks fail
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
 * ({@link BackupEvent.ReplicaFailed}; with {@link BackupEngineBuilder#replicaFailureFailsBackup(boolean)} also a
 * {@code REPLICA_FAILED} exception saying the backup is committed) but leaves the committed backup intact.
 * At most 32 streams (of all backups and rekeys of the engine) are written at once; opening one more
 * waits until one ends.
 *
 * <p>This class only validates and delegates: each verb's work lives in an operation of
 * {@code com.eazepay.backup.internal.engine} (catalog, backup, restore and verify, prune, rekey).
 */
public final class BackupEngine implements AutoCloseable {

    private final EngineConfig config;
    private final RepositoryCatalog catalog;
    private final BackupOperation backups;
    private final RestoreOperation restores;
    private final com.eazepay.backup.internal.engine.VerifyOperation verifies;
    private final com.eazepay.backup.internal.engine.RestoreTestOperation restoreTests;
    private final com.eazepay.backup.internal.engine.DrillOperation drills;
    private final PruneOperation prunes;
    private final RekeyOperation rekeys;
    private final StatusTracker tracker;
    private final DefaultScheduler scheduler;

    BackupEngine(EngineConfig config, ScheduleConfig schedules, StatusTracker tracker) {
        this.config = config;
        this.tracker = tracker;
        this.scheduler = new DefaultScheduler(this, config.repository(), config.clock(), schedules);
        this.catalog = new RepositoryCatalog(config);
        this.backups = new BackupOperation(config, catalog);
        this.restores = new RestoreOperation(config, catalog);
        this.verifies = new com.eazepay.backup.internal.engine.VerifyOperation(config, catalog);
        this.restoreTests = new com.eazepay.backup.internal.engine.RestoreTestOperation(config, catalog, restores);
        this.prunes = new PruneOperation(config, catalog);
        this.rekeys = new RekeyOperation(config, catalog);
        this.drills = new com.eazepay.backup.internal.engine.DrillOperation(config, catalog, restores, restoreTests, rekeys);
    }

    // ------------------------------------------------------------------ requests

    /**
     * A backup of one source, to configure and {@code run()}.
     *
     * @throws BackupException {@code NOT_FOUND} if no source has that name
     */
    public BackupRequest backup(String sourceName) {
        return new BackupRequest(backups, config.source(sourceName));
    }

    /** A backup of every source under one set id (the pre-deploy use case). */
    public BackupAllRequest backupAll() {
        return new BackupAllRequest(backups);
    }

    /**
     * A restore of one source's backup, to configure and {@code run()}. The source need not be
     * configured: a backup of a source known only from the repository (disaster recovery on another
     * host) is restored through the {@link com.eazepay.backup.spi.SourceProvider} of its manifest's
     * source type (files and command built in; PostgreSQL, MongoDB, Redis with their module on the classpath).
     *
     * @throws BackupException {@code NOT_FOUND} if no source has that name and the repository holds no backup of it
     */
    public RestoreRequest restore(String sourceName) {
        if (!config.sources().containsKey(sourceName)) {
            Keys.requireName("source name", sourceName);
            if (catalog.committedIds(config.repository(), sourceName).isEmpty()) {
                throw new BackupException(CoreErrorCode.NOT_FOUND, "no source named '" + sourceName + "' and no backup of it in "
                        + config.repository().describe() + "; configured sources: " + config.sources().keySet()
                        + ", sources in the repository: " + catalog.sourcesInRepository());
            }
        }
        return new RestoreRequest(restores, sourceName);
    }

    /**
     * A restore of every backup of one backup set ({@link #backupAll()}), each into the target given
     * for its source: "roll back database and config of release 1.4.2" in one call.
     */
    public RestoreSetRequest restoreSet(String setId) {
        Objects.requireNonNull(setId, "setId");
        return new RestoreSetRequest(restores, config.sources(), setId);
    }

    /**
     * An integrity verification of one source's backup: {@code run()} checks the repository's copy;
     * {@code integrity()} checks every target and runs the source type's format validator;
     * {@code restoreTest()} restores into a throw-away target, checks and drops it.
     */
    public VerifyRequest verify(String sourceName) {
        Keys.requireName("source name", sourceName);
        return new VerifyRequest(restores, verifies, restoreTests, sourceName);
    }

    /**
     * A disaster-recovery drill: {@code engine.drill().scenario(Drill.Scenario.CORRUPTION).run()} restores, checks,
     * measures time to recover and data age per source, and writes a {@link DrillReport} under {@code reports/drill/}.
     */
    public Drill drill() {
        return new Drill(drills, scheduler.config().objectives());
    }

    /** Keys of the drill reports in the repository ({@code reports/drill/*.json} and {@code .md}), oldest first. */
    public java.util.List<String> reports() {
        return drills.reports();
    }

    /** A re-encryption of a source's backups to new recipients (key rotation). */
    public RekeyRequest rekey(String sourceName) {
        Keys.requireName("source name", sourceName);
        return new RekeyRequest(rekeys, sourceName);
    }

    /**
     * A prune of the sources that have a retention policy ({@link BackupEngineBuilder#retention}), to configure
     * and {@link PruneRequest#dryRun() dry-run} or {@link PruneRequest#run() run}.
     */
    public PruneRequest prune() {
        return new PruneRequest(prunes);
    }

    // ------------------------------------------------------------------ catalog

    /** Committed backups of a source, oldest first, read from storage (every manifest is read). */
    public List<Manifest> list(String sourceName) {
        return list(sourceName, BackupFilter.all());
    }

    /**
     * Committed backups of a source matching {@code filter}, oldest first (by start time, then id),
     * read from storage (every manifest is read).
     */
    public List<Manifest> list(String sourceName, BackupFilter filter) {
        return catalog.list(sourceName, filter);
    }

    /**
     * The newest committed backup of a source, if any. Reads one manifest (the listing orders the
     * backups by their time-sortable ids).
     */
    public Optional<Manifest> latest(String sourceName) {
        return catalog.newest(sourceName, new Selection("latest of '" + sourceName + "'"));
    }

    /**
     * The manifest of one backup.
     *
     * @throws BackupException {@code NOT_FOUND} if it is not committed; {@code CORRUPT_DATA} if unreadable
     */
    public Manifest manifest(String sourceName, String backupId) {
        return catalog.readManifest(sourceName, backupId);
    }

    /** Names of the configured sources, in the order added. */
    public Set<String> sourceNames() {
        return config.sources().keySet();
    }

    /**
     * Names of the sources with at least one committed backup in the repository, sorted, whether or
     * not this engine configures them (a disaster-recovery host may know only the repository).
     */
    public Set<String> sourcesInRepository() {
        return catalog.sourcesInRepository();
    }

    /** The primary repository's description. */
    public String describeRepository() {
        return config.repository().describe();
    }

    // ------------------------------------------------------------------ pins and holds

    /**
     * Pins a committed backup: retention never removes it until {@link #unpin}. Stored as
     * {@code pins/{source}/{backupId}.json} in the repository and (best effort, WARN on failure) in
     * every replica. Idempotent.
     *
     * @throws BackupException {@code NOT_FOUND} if the backup is not committed; storage codes if the
     *                         marker cannot be written to the repository
     */
    public void pin(String sourceName, String backupId) {
        catalog.setMarker(sourceName, backupId, RepositoryLayout.pinKey(sourceName, backupId), "pin", true);
    }

    /**
     * Removes a pin (a no-op if there is none). The backup is then subject to retention again.
     *
     * @throws BackupException storage codes if the marker cannot be deleted from the repository
     */
    public void unpin(String sourceName, String backupId) {
        catalog.setMarker(sourceName, backupId, RepositoryLayout.pinKey(sourceName, backupId), "pin", false);
    }

    /**
     * Places ({@code true}) or lifts ({@code false}) a legal hold on a committed backup: retention
     * never removes a held backup. Stored as {@code holds/{source}/{backupId}.json} in the repository
     * and (best effort) in every replica, plus the store's own hold where it has one. Idempotent.
     *
     * @throws BackupException {@code NOT_FOUND} if placing a hold on a backup that is not committed;
     *                         storage codes if the marker cannot be written or deleted
     */
    public void legalHold(String sourceName, String backupId, boolean hold) {
        String key = RepositoryLayout.holdKey(sourceName, backupId);
        if (hold) {
            catalog.setMarker(sourceName, backupId, key, "legal hold", true);
            catalog.storageLegalHolds(sourceName, backupId, true);
        } else {
            // lift the store's holds first: if that fails, the marker still says the backup is held
            catalog.storageLegalHolds(sourceName, backupId, false);
            catalog.setMarker(sourceName, backupId, key, "legal hold", false);
        }
    }

    /** Ids of the backups of {@code sourceName} that are pinned, read from the repository. */
    public Set<String> pinned(String sourceName) {
        Keys.requireName("source name", sourceName);
        return catalog.markerIds(config.repository(), RepositoryLayout.PINS, sourceName);
    }

    /** Ids of the backups of {@code sourceName} under legal hold, read from the repository. */
    public Set<String> legalHolds(String sourceName) {
        Keys.requireName("source name", sourceName);
        return catalog.markerIds(config.repository(), RepositoryLayout.HOLDS, sourceName);
    }

    // ------------------------------------------------------------------ schedule and status

    /**
     * The scheduler of the recurring jobs configured with {@link BackupEngineBuilder#schedule}, {@link BackupEngineBuilder#pruneSchedule},
     * {@link BackupEngineBuilder#verifySchedule} and {@link BackupEngineBuilder#copySchedule}: call {@link Scheduler#start()} in every
     * replica of a service; each slot runs in exactly one of them. The same instance on every call; closed by
     * {@link #close()}.
     */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Per source the newest committed backup (read from the repository: any process's), the last failure
     * (seen by this process or recorded by any scheduler sharing the repository), the next scheduled run,
     * whether a backup runs in this process now and the objective check; and the other recurring jobs.
     * Reads one listing and one manifest per source plus the newest slot records.
     */
    public EngineStatus status() {
        config.checkOpen();
        return StatusSnapshot.take(this, config.sources(), config.repository(), scheduler, tracker, config.clock());
    }

    /**
     * The objective check of every source with an RPO ({@link BackupEngineBuilder#objectives}), without reading backups
     * ({@code dataAge} null): whether its schedule, or its continuous archiving (a PostgreSQL WAL archive: the archive
     * lag, {@link com.eazepay.backup.spi.BackupSource#recoverableUntil}), can meet the RPO and, if not, what would.
     * Reads the repository only for sources with continuous archiving (a listing and a record or two each).
     */
    public List<EngineStatus.ObjectiveStatus> objectives() {
        return ObjectiveCheck.evaluate(config.sources(), scheduler.config(), name -> null, config.repository(),
                config.clock().instant());
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Closes the scheduler (running jobs finish or are aborted by the {@link ShutdownPolicy}), then shuts
     * down the engine's upload threads. Does not close storage targets or sources. Idempotent.
     */
    @Override
    public void close() {
        scheduler.close();
        config.close();
    }

    /**
     * An off-site copy of committed backups (already encrypted) to another storage target, verified by
     * SHA-256 while copying, manifest last, resumable: see {@link CopyRequest}.
     */
    public CopyRequest copy() {
        config.checkOpen();
        return new CopyRequest(this, config.repository(), config.clock());
    }

    @Override
    public String toString() {
        return "BackupEngine[repository=" + config.repository().describe() + ", sources=" + config.sources().keySet()
                + ", compression=" + config.compression().id() + ", encryption=" + config.encryption().id() + "]";
    }
}
