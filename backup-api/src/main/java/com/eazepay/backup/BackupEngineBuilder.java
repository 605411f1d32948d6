package com.eazepay.backup;

import com.eazepay.backup.internal.codec.CompressionCodecs;
import com.eazepay.backup.internal.engine.EngineConfig;
import com.eazepay.backup.internal.schedule.ObjectiveCheck;
import com.eazepay.backup.internal.schedule.ScheduleConfig;
import com.eazepay.backup.internal.schedule.ScheduledJobSpec;
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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Configures a {@link BackupEngine}; start with {@link Backup#engine()} (or {@link Backup#repository} to open a
 * repository without sources). Setters reject bad values at once; {@link #build()} checks
 * combinations and reports every problem in one {@code INVALID_CONFIGURATION} exception. A
 * single-value setting given twice is refused at the second call ({@link IllegalStateException});
 * {@code replica}, {@code source} and {@code listener} add one more each. Not thread-safe.
 */
public final class BackupEngineBuilder {
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

    BackupEngineBuilder() {
    }

    /** For {@link Backup#repository}: an engine that browses and restores may have no sources. */
    BackupEngineBuilder browseOnly() {
        this.browseOnly = true;
        return this;
    }

    private static void once(Object current, String setting) {
        if (current != null) {
            throw new IllegalStateException(setting + " was already set");
        }
    }

    /** The primary repository. Required. */
    public BackupEngineBuilder repository(StorageTarget storage) {
        once(repository, "repository");
        this.repository = Objects.requireNonNull(storage, "storage");
        return this;
    }

    /** A replica: every committed backup is copied there after commit. Optional, any number. */
    public BackupEngineBuilder replica(StorageTarget storage) {
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
    public BackupEngineBuilder objectLock(Duration retainFor) {
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
    public BackupEngineBuilder replicaFailureFailsBackup(boolean fails) {
        once(replicaFailureSet ? Boolean.TRUE : null, "replicaFailureFailsBackup");
        this.replicaFailureSet = true;
        this.replicaFailureFailsBackup = fails;
        return this;
    }

    /** Compression of new backups. Default {@link Compression#zstd()} (level 1). */
    public BackupEngineBuilder compression(Compression compression) {
        once(this.compression, "compression");
        this.compression = Objects.requireNonNull(compression, "compression");
        return this;
    }

    /**
     * Encryption of new backups, and decryption of existing ones. Required: choose age, or
     * {@link Encryption#none()} explicitly.
     */
    public BackupEngineBuilder encryption(Encryption encryption) {
        once(this.encryption, "encryption");
        this.encryption = Objects.requireNonNull(encryption, "encryption");
        return this;
    }

    /**
     * Allows sources marked sensitive (database dumps, env files, private keys) to be stored
     * unencrypted when {@code Encryption.none()} is chosen. Default: refused at {@link #build()}.
     */
    public BackupEngineBuilder allowUnencryptedSensitiveData() {
        once(allowPlaintextSensitive ? Boolean.TRUE : null, "allowUnencryptedSensitiveData");
        this.allowPlaintextSensitive = true;
        return this;
    }

    /** Adds a source; names must be unique. */
    public BackupEngineBuilder source(BackupSource source) {
        Objects.requireNonNull(source, "source");
        if (sources.putIfAbsent(source.name(), source) != null) {
            duplicateSources.add(source.name());
        }
        return this;
    }

    /** Adds a listener for {@link BackupEvent}s. */
    public BackupEngineBuilder listener(BackupListener listener) {
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
    public BackupEngineBuilder retention(String sourceName, RetentionPolicy policy) {
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
    public BackupEngineBuilder replicaRetention(StorageTarget replica, String sourceName, RetentionPolicy policy) {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(policy, "policy");
        if (replicaRetention.computeIfAbsent(replica, r -> new LinkedHashMap<>()).putIfAbsent(sourceName, policy) != null) {
            throw new IllegalStateException("retention of '" + sourceName + "' on replica " + replica.describe() + " was already set");
        }
        return this;
    }

    /** The clock for backup ids and manifest times. Default {@link Clock#systemUTC()}. */
    public BackupEngineBuilder clock(Clock clock) {
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
    public BackupEngineBuilder schedule(String sourceName, Schedule schedule) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(schedule, "schedule");
        if (schedules.putIfAbsent(sourceName, schedule) != null) {
            throw new IllegalStateException("schedule of '" + sourceName + "' was already set");
        }
        return this;
    }

    /** Runs {@link BackupEngine#prune()} on {@code schedule} (needs {@link #retention}). Default: never. */
    public BackupEngineBuilder pruneSchedule(Schedule schedule) {
        once(pruneSchedule, "pruneSchedule");
        this.pruneSchedule = Objects.requireNonNull(schedule, "schedule");
        return this;
    }

    /**
     * Verifies the newest backup of every source with one (integrity: every stream read and hashed) on
     * {@code schedule}; any failed check fails the slot. Default: never.
     */
    public BackupEngineBuilder verifySchedule(Schedule schedule) {
        return verifySchedule(schedule, BackupEngineBuilder::verifyLatest);
    }

    /**
     * Runs {@code job} (e.g. a restore test) as the verification job on {@code schedule}. Default: never.
     */
    public BackupEngineBuilder verifySchedule(Schedule schedule, ScheduledJob job) {
        once(verifySchedule, "verifySchedule");
        this.verifySchedule = Objects.requireNonNull(schedule, "schedule");
        this.verifyJob = Objects.requireNonNull(job, "job");
        return this;
    }

    /** Runs {@code job} (an off-site copy) on {@code schedule}. Default: never. */
    public BackupEngineBuilder copySchedule(Schedule schedule, ScheduledJob job) {
        once(copySchedule, "copySchedule");
        this.copySchedule = Objects.requireNonNull(schedule, "schedule");
        this.copyJob = Objects.requireNonNull(job, "job");
        return this;
    }

    /**
     * Recovery objectives. Each source whose schedule cannot meet its RPO is reported at build and in
     * {@link BackupEngine#status()} (WARN, {@link BackupEvent.ObjectiveBreached}); not an error. Default: none.
     */
    public BackupEngineBuilder objectives(Objectives objectives) {
        once(this.objectives, "objectives");
        this.objectives = Objects.requireNonNull(objectives, "objectives");
        return this;
    }

    /**
     * What closing the scheduler does with running jobs, and how long it waits. Default
     * {@link ShutdownPolicy#FINISH} with 5 minutes, after which running jobs are aborted (a backup
     * aborted mid-way is never committed and deletes what it stored).
     */
    public BackupEngineBuilder shutdownPolicy(ShutdownPolicy policy, Duration timeout) {
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
    public BackupEngineBuilder schedulerThreads(int threads) {
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
    public BackupEngineBuilder scheduleGrace(Duration grace) {
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
    public BackupEngineBuilder scheduleLease(Duration lease) {
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
