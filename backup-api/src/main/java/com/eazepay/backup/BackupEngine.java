package com.eazepay.backup;

import com.eazepay.backup.internal.Keys;
import com.eazepay.backup.internal.codec.CompressionCodecs;
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
import com.eazepay.backup.internal.schedule.ScheduledJobSpec;
import com.eazepay.backup.internal.schedule.StatusSnapshot;
import com.eazepay.backup.internal.schedule.StatusTracker;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.StorageTarget;

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
 * ({@link BackupEvent.ReplicaFailed}; with {@link Builder#replicaFailureFailsBackup(boolean)} also a
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

    private BackupEngine(EngineConfig config, ScheduleConfig schedules, StatusTracker tracker) {
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
     * A prune of the sources that have a retention policy ({@link Builder#retention}), to configure
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
     * The scheduler of the recurring jobs configured with {@link Builder#schedule}, {@link Builder#pruneSchedule},
     * {@link Builder#verifySchedule} and {@link Builder#copySchedule}: call {@link Scheduler#start()} in every
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
        return StatusSnapshot.take(this, config.sources(), scheduler, tracker, config.clock());
    }

    /**
     * The objective check of every source with an RPO ({@link Builder#objectives}), from the configuration
     * alone ({@code dataAge} null): whether its schedule can meet the RPO and, if not, what would.
     */
    public List<EngineStatus.ObjectiveStatus> objectives() {
        return ObjectiveCheck.evaluate(config.sources(), scheduler.config(), name -> null);
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

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link BackupEngine}. Setters reject bad values at once; {@link #build()} checks
     * combinations and reports every problem in one {@code INVALID_CONFIGURATION} exception. A
     * single-value setting given twice is refused at the second call ({@link IllegalStateException});
     * {@code replica}, {@code source} and {@code listener} add one more each. Not thread-safe.
     */
    public static final class Builder {
        private StorageTarget repository;
        private final List<StorageTarget> replicas = new ArrayList<>();
        private Compression compression;
        private Encryption encryption;
        private boolean allowPlaintextSensitive;
        private final Map<String, BackupSource> sources = new LinkedHashMap<>();
        private final List<String> duplicateSources = new ArrayList<>();
        private final List<BackupListener> listeners = new CopyOnWriteArrayList<>();
        private Clock clock;
        private boolean replicaFailureFailsBackup;
        private boolean replicaFailureSet;
        private boolean browseOnly;
        private Duration objectLock;
        private final Map<String, RetentionPolicy> retention = new LinkedHashMap<>();
        private final Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention = new IdentityHashMap<>();
        private final Map<String, Schedule> schedules = new LinkedHashMap<>();
        private Schedule pruneSchedule;
        private Schedule verifySchedule;
        private ScheduledJob verifyJob;
        private Schedule copySchedule;
        private ScheduledJob copyJob;
        private Objectives objectives;
        private ShutdownPolicy shutdownPolicy;
        private Duration shutdownTimeout;
        private Integer schedulerThreads;
        private Duration scheduleGrace;
        private Duration scheduleLease;

        Builder() {
        }

        /** For {@link Backup#repository}: an engine that browses and restores may have no sources. */
        Builder browseOnly() {
            this.browseOnly = true;
            return this;
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
            once(replicaFailureSet ? Boolean.TRUE : null, "replicaFailureFailsBackup");
            this.replicaFailureSet = true;
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
            once(allowPlaintextSensitive ? Boolean.TRUE : null, "allowUnencryptedSensitiveData");
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
         * Backs up {@code sourceName} on {@code schedule} once {@link BackupEngine#scheduler()} is started
         * (trigger {@link Trigger#SCHEDULED}, label {@code schedule-slot}). Default: not scheduled.
         * {@link #build()} fails if the source is not configured.
         *
         * @throws IllegalStateException if the source already has a schedule
         */
        public Builder schedule(String sourceName, Schedule schedule) {
            Objects.requireNonNull(sourceName, "sourceName");
            Objects.requireNonNull(schedule, "schedule");
            if (schedules.putIfAbsent(sourceName, schedule) != null) {
                throw new IllegalStateException("schedule of '" + sourceName + "' was already set");
            }
            return this;
        }

        /** Runs {@link BackupEngine#prune()} on {@code schedule} (needs {@link #retention}). Default: never. */
        public Builder pruneSchedule(Schedule schedule) {
            once(pruneSchedule, "pruneSchedule");
            this.pruneSchedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /**
         * Verifies the newest backup of every source with one (integrity: every stream read and hashed) on
         * {@code schedule}; any failed check fails the slot. Default: never.
         */
        public Builder verifySchedule(Schedule schedule) {
            return verifySchedule(schedule, Builder::verifyLatest);
        }

        /**
         * Runs {@code job} (e.g. a restore test) as the verification job on {@code schedule}. Default: never.
         */
        public Builder verifySchedule(Schedule schedule, ScheduledJob job) {
            once(verifySchedule, "verifySchedule");
            this.verifySchedule = Objects.requireNonNull(schedule, "schedule");
            this.verifyJob = Objects.requireNonNull(job, "job");
            return this;
        }

        /** Runs {@code job} (an off-site copy) on {@code schedule}. Default: never. */
        public Builder copySchedule(Schedule schedule, ScheduledJob job) {
            once(copySchedule, "copySchedule");
            this.copySchedule = Objects.requireNonNull(schedule, "schedule");
            this.copyJob = Objects.requireNonNull(job, "job");
            return this;
        }

        /**
         * Recovery objectives. Each source whose schedule cannot meet its RPO is reported at build and in
         * {@link BackupEngine#status()} (WARN, {@link BackupEvent.ObjectiveBreached}); not an error. Default: none.
         */
        public Builder objectives(Objectives objectives) {
            once(this.objectives, "objectives");
            this.objectives = Objects.requireNonNull(objectives, "objectives");
            return this;
        }

        /**
         * What closing the scheduler does with running jobs, and how long it waits. Default
         * {@link ShutdownPolicy#FINISH} with 5 minutes, after which running jobs are aborted (a backup
         * aborted mid-way is never committed and deletes what it stored).
         */
        public Builder shutdownPolicy(ShutdownPolicy policy, Duration timeout) {
            once(this.shutdownPolicy, "shutdownPolicy");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("shutdown timeout must not be negative, was " + timeout);
            }
            this.shutdownPolicy = policy;
            this.shutdownTimeout = timeout;
            return this;
        }

        /** How many scheduled jobs run at once (1-16). Default 2. */
        public Builder schedulerThreads(int threads) {
            once(this.schedulerThreads, "schedulerThreads");
            if (threads < 1 || threads > 16) {
                throw new IllegalArgumentException("schedulerThreads must be 1-16, was " + threads);
            }
            this.schedulerThreads = threads;
            return this;
        }

        /**
         * How late a slot may start and still be on time; a slot overdue by more is a missed slot, caught
         * up once only if the last success is older than the schedule's interval plus this grace.
         * Default 30 minutes; at least 1 minute.
         */
        public Builder scheduleGrace(Duration grace) {
            once(this.scheduleGrace, "scheduleGrace");
            Objects.requireNonNull(grace, "grace");
            if (grace.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("scheduleGrace must be at least 1 minute, was " + grace);
            }
            this.scheduleGrace = grace;
            return this;
        }

        /**
         * The duration of a slot lease, renewed every quarter of it while the job runs; a holder that died
         * on another host is taken over after it plus the 2-minute clock-skew margin. Default 10 minutes;
         * 1 minute to 1 hour. See the README's "Scheduling across replicas" for the choice.
         */
        public Builder scheduleLease(Duration lease) {
            once(this.scheduleLease, "scheduleLease");
            Objects.requireNonNull(lease, "lease");
            if (lease.compareTo(Duration.ofMinutes(1)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("scheduleLease must be 1 minute to 1 hour, was " + lease);
            }
            this.scheduleLease = lease;
            return this;
        }

        private static void verifyLatest(BackupEngine engine, java.time.Instant slot) {
            List<String> failed = new ArrayList<>();
            for (String source : engine.sourceNames()) {
                Optional<Manifest> latest = engine.latest(source);
                if (latest.isPresent()) {
                    VerificationReport r = engine.verify(source).id(latest.get().id()).run();
                    if (!r.passed()) {
                        failed.add(source + "/" + latest.get().id());
                    }
                }
            }
            if (!failed.isEmpty()) {
                throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, "scheduled verification failed for " + failed
                        + ": see the BackupVerified events; restore from an older backup or a replica");
            }
        }

        private ScheduleConfig scheduleConfig() {
            List<ScheduledJobSpec> jobs = new ArrayList<>();
            schedules.forEach((source, s) -> jobs.add(new ScheduledJobSpec(ScheduledJobSpec.backupJob(source), source, s, null)));
            if (pruneSchedule != null) {
                jobs.add(new ScheduledJobSpec("prune", null, pruneSchedule, (engine, slot) -> engine.prune().run().orThrow()));
            }
            if (verifySchedule != null) {
                jobs.add(new ScheduledJobSpec("verify", null, verifySchedule, verifyJob));
            }
            if (copySchedule != null) {
                jobs.add(new ScheduledJobSpec("copy", null, copySchedule, copyJob));
            }
            return new ScheduleConfig(jobs, objectives == null ? Objectives.none() : objectives,
                    shutdownPolicy == null ? ShutdownPolicy.FINISH : shutdownPolicy,
                    shutdownTimeout == null ? Duration.ofMinutes(5) : shutdownTimeout,
                    schedulerThreads == null ? 2 : schedulerThreads,
                    scheduleGrace == null ? Duration.ofMinutes(30) : scheduleGrace,
                    scheduleLease == null ? Duration.ofMinutes(10) : scheduleLease);
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
            if (sources.isEmpty() && !browseOnly) {
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
            List<String> unknownScheduled = new ArrayList<>();
            for (String name : schedules.keySet()) {
                if (!sources.containsKey(name)) {
                    unknownScheduled.add(name);
                }
            }
            if (!unknownScheduled.isEmpty()) {
                problems.add("schedule(..) names unknown sources " + unknownScheduled + ": configured sources are " + sources.keySet());
            }
            if (objectives != null) {
                List<String> unknownObjectives = objectives.overriddenSources().stream().filter(n -> !sources.containsKey(n)).toList();
                if (!unknownObjectives.isEmpty()) {
                    problems.add("objectives name unknown sources " + unknownObjectives + ": configured sources are " + sources.keySet());
                }
            }
            if (pruneSchedule != null && retention.isEmpty()) {
                problems.add("pruneSchedule(..) without a retention policy would never remove anything: call retention(source, policy)");
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
            CompressionCodecs codecs = CompressionCodecs.load();
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
            StatusTracker tracker = new StatusTracker();
            List<BackupListener> all = new ArrayList<>(listeners);
            all.add(tracker);
            EngineConfig config = new EngineConfig(repository, replicas, compression, codecs, encryption, sources, all, clock,
                    replicaFailureFailsBackup, objectLock, retention, replicaRetention, allowPlaintextSensitive);
            BackupEngine engine = new BackupEngine(config, scheduleConfig(), tracker);
            ObjectiveCheck.report(engine.objectives(), config::publish, clock);
            return engine;
        }
    }
}
