package com.eazepay.backup.micrometer;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.EngineStatus;
import com.eazepay.backup.BackupListener;
import com.eazepay.backup.Manifest;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Turns an engine's {@link BackupEvent}s into Micrometer meters. It is both the engine's
 * {@link BackupListener} and a {@link MeterBinder}:
 *
 * <pre>{@code
 * BackupMetrics metrics = BackupMetrics.create();                 // or builder().sizeAnomaly(..).build()
 * BackupEngine engine = Backup.engine()
 *         .repository(storage).encryption(encryption).source(postgres)
 *         .listener(metrics)
 *         .build();
 * metrics.readRepository(engine);                                 // last success and size survive a restart
 * metrics.bindTo(prometheusRegistry);                             // any number of registries
 * metrics.objective("postgres", Duration.ofHours(1), Duration.ofHours(24));
 * }</pre>
 *
 * <p>Meters (code names in dot.case; the Prometheus registry renders the names in brackets). Every
 * meter has the tag {@code source} (the configured source name); failures also {@code code} (the
 * {@code ErrorCode} name). No meter is tagged with a backup id.
 * <ul>
 *   <li>{@value #JOB_FAILURE_COUNT} [{@code backup_job_failure_count}], gauge: backups failed since the
 *       last success (0 after a success; starts at 0, a restart forgets earlier failures)</li>
 *   <li>{@value #LAST_SUCCESS} [{@code backup_last_success_timestamp_seconds}], gauge: completion time of
 *       the newest committed backup, epoch seconds; 0 when the source has none</li>
 *   <li>{@value #DURATION} [{@code backup_duration_seconds_count/_sum}], function timer: successful backups</li>
 *   <li>{@value #SIZE} [{@code backup_size_bytes}], gauge: stored bytes of the newest committed backup</li>
 *   <li>{@value #SUCCESS} [{@code backup_success_total}] and {@value #FAILURE} [{@code backup_failure_total}]
 *       {@code {source,code}}, function counters since this process started</li>
 *   <li>{@value #RESTORE_TEST_SUCCESS} [{@code backup_restore_test_success}], gauge: 1 if the last restore or
 *       verification of the source passed, 0 if it failed (registered at the first result), and
 *       {@value #RESTORE_TEST_TIMESTAMP} [{@code backup_restore_test_timestamp_seconds}]: when</li>
 *   <li>{@value #SIZE_ANOMALY} [{@code backup_size_anomaly}], gauge: 1 if the newest size is outside the
 *       {@link SizeAnomalyRule} band around the median of the previous sizes</li>
 *   <li>{@value #OBJECTIVE_RPO} [{@code backup_objective_rpo_seconds}] and {@value #SCHEDULE_RPO}
 *       [{@code backup_schedule_rpo_seconds}], gauges registered by {@link #objective}</li>
 *   <li>{@value #CERTIFICATE_EXPIRY} [{@code backup_certificate_expiry_timestamp_seconds}], gauge: the earliest
 *       notAfter (epoch seconds) among the certificates of the source's newest committed backup, for sources that
 *       back up certificates ({@code FilesSource.certificates(..)}); registered at the first data. From
 *       {@link #readRepository} (the manifest fact {@code certificates}: every certificate) and from
 *       {@link BackupEvent.CertificateExpiring} events (only certificates within the source's warning window,
 *       applied when the backup succeeds). After a success that raised no such event the earliest notAfter is
 *       beyond the window and unknown to the events: the gauge is NaN until {@link #readRepository} reads it.</li>
 * </ul>
 *
 * <p>Thread safe: events may arrive on any thread, scrapes read concurrently. Meters are backed by
 * this object's state, so a registry bound after some backups shows them too. Timestamps come from
 * the events (the engine's clock); this class reads no clock itself.
 */
public final class BackupMetrics implements BackupListener, MeterBinder {

    /** Failures since the last success. */
    public static final String JOB_FAILURE_COUNT = "backup.job.failure.count";
    /** Completion time of the last success (base unit seconds). */
    public static final String LAST_SUCCESS = "backup.last.success.timestamp";
    /** Duration of successful backups. */
    public static final String DURATION = "backup.duration";
    /** Stored size of the last success (base unit bytes). */
    public static final String SIZE = "backup.size";
    /** Successful backups. */
    public static final String SUCCESS = "backup.success";
    /** Failed backups, by error code. */
    public static final String FAILURE = "backup.failure";
    /** Last restore test or verification passed (1) or failed (0). */
    public static final String RESTORE_TEST_SUCCESS = "backup.restore.test.success";
    /** When the last restore test or verification finished (base unit seconds). */
    public static final String RESTORE_TEST_TIMESTAMP = "backup.restore.test.timestamp";
    /** The last size is outside the band around the median of recent sizes (1) or not (0). */
    public static final String SIZE_ANOMALY = "backup.size.anomaly";
    /** Configured recovery point objective (base unit seconds). */
    public static final String OBJECTIVE_RPO = "backup.objective.rpo";
    /** Recovery point implied by the schedule: its interval (base unit seconds). */
    public static final String SCHEDULE_RPO = "backup.schedule.rpo";
    /**
     * Seconds since the source's last WAL file reached the archive (PostgreSQL point-in-time recovery), from the
     * supplier given to {@link #walArchiveLag}; Prometheus: {@code backup_wal_archive_lag_seconds}.
     */
    public static final String WAL_ARCHIVE_LAG = "backup.wal.archive.lag";

    /** Earliest certificate expiry (notAfter) in the newest backup (base unit seconds). */
    public static final String CERTIFICATE_EXPIRY = "backup.certificate.expiry.timestamp";

    /** Tag holding the source name. */
    public static final String TAG_SOURCE = "source";
    /** Tag holding the error code name on {@link #FAILURE}. */
    public static final String TAG_CODE = "code";

    private static final Logger LOG = LoggerFactory.getLogger(BackupMetrics.class);

    private final SizeAnomalyRule anomalyRule;
    private final Map<String, SourceMeters> sources = new ConcurrentHashMap<>();
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    private BackupMetrics(Builder b) {
        this.anomalyRule = b.anomalyRule;
    }

    /** Metrics with the default {@link SizeAnomalyRule} (last 14 sizes, ±50 %, at least 3). */
    public static BackupMetrics create() {
        return builder().build();
    }

    /** A builder for metrics with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The rule deciding {@value #SIZE_ANOMALY}. */
    public SizeAnomalyRule sizeAnomalyRule() {
        return anomalyRule;
    }

    // ------------------------------------------------------------------ binding and seeding

    /**
     * Registers this object's meters in {@code registry}: those of every source seen so far (events,
     * {@link #readRepository}, {@link #objective}) and, from now on, those of new sources. May be
     * called for several registries.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (this) {
            if (registries.contains(registry)) {
                return;
            }
            registries.add(registry);
            for (SourceMeters s : sources.values()) {
                s.registerAll(registry);
            }
        }
    }

    /**
     * Seeds the per-source state from the committed backups in {@code engine}'s repository, so a
     * restarted service shows the real last success and size instead of 0: for every configured source,
     * the newest backup's completion time and stored size, the size anomaly of the newest against the
     * ones before it, and a failure count of 0 if the repository holds a success newer than the last
     * failure this object saw. Never moves a value back in time, so it may be called again at any
     * moment (for example periodically, to see what other replicas sharing the repository committed).
     *
     * @return this
     * @throws com.eazepay.backup.BackupException as {@link BackupEngine#list(String)} when the
     *                                            repository cannot be listed (retryable if the storage
     *                                            error is)
     */
    public BackupMetrics readRepository(BackupEngine engine) {
        Objects.requireNonNull(engine, "engine");
        for (EngineStatus.ObjectiveStatus o : engine.objectives()) {
            objective(o.source(), o.rpo(), o.scheduleRpo());
        }
        for (String source : engine.sourceNames()) {
            List<Manifest> committed = engine.list(source);
            SourceMeters s = source(source);
            if (committed.isEmpty()) {
                continue;
            }
            List<Long> sizes = new ArrayList<>();
            for (Manifest m : committed.subList(Math.max(0, committed.size() - anomalyRule.window() - 1), committed.size())) {
                sizes.add(m.storedBytes());
            }
            Manifest newest = committed.get(committed.size() - 1);
            Instant completed = newest.completedAt() != null ? newest.completedAt() : newest.startedAt();
            s.seed(completed, sizes);
            Instant earliest = earliestNotAfter(newest);
            if (earliest != null) {
                s.seedCertificates(newest.id(), completed, earliest);
            }
            LOG.debug("metrics of '{}' seeded from {} committed backups, newest {} at {}", source, committed.size(),
                    newest.id(), completed);
        }
        return this;
    }

    /**
     * Registers (or updates) the objective gauges of a source: {@value #OBJECTIVE_RPO} the configured
     * recovery point objective, {@value #SCHEDULE_RPO} the interval of its schedule (the data a failure
     * just before the next run loses; null for an unscheduled source: then only the objective). Called for
     * every {@link BackupEvent.ObjectiveBreached} the engine raises at build and, for every source with an
     * RPO ({@link BackupEngine#objectives()}), by {@link #readRepository}; applications may call it too.
     *
     * @throws IllegalArgumentException if a duration is zero or negative
     */
    public void objective(String source, Duration rpo, Duration scheduleInterval) {
        if (scheduleInterval == null) {  // an unscheduled source: only the objective is known
            objective(source, rpo);
            return;
        }
        requirePositive(scheduleInterval, "scheduleInterval");
        objective(source, rpo);
        source(source).scheduleRpo(scheduleInterval);
    }

    /**
     * Registers (or updates) only {@value #OBJECTIVE_RPO} of a source (no schedule known).
     *
     * @throws IllegalArgumentException if {@code rpo} is zero or negative
     */
    public void objective(String source, Duration rpo) {
        Objects.requireNonNull(source, "source");
        requirePositive(rpo, "rpo");
        source(source).objectiveRpo(rpo);
    }

    /**
     * Registers {@value #WAL_ARCHIVE_LAG} of a source, read from {@code lagSeconds} at each scrape (for example
     * {@code walArchive::archiveLagSeconds} of backup-postgres); a supplier that throws reads as NaN.
     */
    public void walArchiveLag(String source, java.util.function.DoubleSupplier lagSeconds) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(lagSeconds, "lagSeconds");
        source(source).walLag(lagSeconds);
    }

    /** The earliest {@code notAfter} in the manifest fact {@code certificates}, or null if it has none. */
    static Instant earliestNotAfter(Manifest m) {
        Instant earliest = null;
        if (m.facts().get("certificates") instanceof List<?> certs) {
            for (Object c : certs) {
                if (c instanceof Map<?, ?> cert && cert.get("notAfter") instanceof String text) {
                    try {
                        Instant t = Instant.parse(text);
                        earliest = earliest == null || t.isBefore(earliest) ? t : earliest;
                    } catch (java.time.format.DateTimeParseException e) {
                        LOG.warn("backup {} of '{}': certificate notAfter '{}' is not an ISO instant; ignored", m.id(),
                                m.source(), text);
                    }
                }
            }
        }
        return earliest;
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be above 0, got " + d);
        }
    }

    // ------------------------------------------------------------------ events

    @Override
    public void onEvent(BackupEvent event) {
        if (event instanceof BackupEvent.BackupSucceeded e) {
            source(e.source()).succeeded(e.backupId(), e.at(), e.duration(), e.storedBytes());
        } else if (event instanceof BackupEvent.BackupFailed e) {
            source(e.source()).failed(e.at(), e.errorCode().name());
        } else if (event instanceof BackupEvent.CertificateExpiring e) {
            source(e.source()).certificateExpiring(e.notAfter());
        } else if (event instanceof BackupEvent.RestoreSucceeded e) {
            source(e.source()).restoreTest(e.at(), e.checksPassed());
        } else if (event instanceof BackupEvent.RestoreFailed e) {
            source(e.source()).restoreTest(e.at(), false);
        } else if (event instanceof BackupEvent.BackupVerified e) {
            source(e.source()).restoreTest(e.at(), e.passed());
        } else if (event instanceof BackupEvent.ObjectiveBreached e) {
            objective(e.source(), e.rpo(), e.scheduleRpo());
        }
        // BackupStarted, ReplicaFailed, Pruned: no meter (yet)
    }

    private SourceMeters source(String name) {
        SourceMeters s = sources.get(name);
        if (s != null) {
            return s;
        }
        synchronized (this) {
            return sources.computeIfAbsent(name, n -> {
                SourceMeters created = new SourceMeters(n);
                for (MeterRegistry r : registries) {
                    created.registerAll(r);
                }
                return created;
            });
        }
    }

    /** Registers one more group of meters in every bound registry (groups appear as data arrives). */
    private synchronized void registerEverywhere(SourceMeters s, Group g) {
        for (MeterRegistry r : registries) {
            s.register(r, g);
        }
    }

    private enum Group { CORE, RESTORE, OBJECTIVE, SCHEDULE, WAL, CERTIFICATE }

    /** The state behind one source's meters. Mutations are synchronized; gauges read volatiles. */
    private final class SourceMeters {
        final String source;
        final Tags tags;
        final java.util.Set<Group> groups = java.util.EnumSet.of(Group.CORE);
        final Map<String, long[]> failuresByCode = new ConcurrentHashMap<>();
        final java.util.ArrayDeque<Long> sizes = new java.util.ArrayDeque<>();

        volatile double failuresSinceSuccess;
        volatile double lastSuccessSeconds;
        volatile double lastSize;
        volatile double anomaly;
        volatile double successes;
        volatile double successNanos;
        volatile double restorePassed = Double.NaN;
        volatile double restoreSeconds = Double.NaN;
        volatile double objectiveRpoSeconds = Double.NaN;
        volatile double scheduleRpoSeconds = Double.NaN;
        volatile java.util.function.DoubleSupplier walLag;
        volatile double certificateExpirySeconds = Double.NaN;
        /** Earliest notAfter among the CertificateExpiring events of the running backup; applied on its success. */
        Instant pendingCertificateExpiry;
        /** Completion of the backup the certificate gauge describes. */
        Instant certificateBackupAt;
        String certificateBackupId;
        Instant lastSuccess;
        Instant lastFailure;

        SourceMeters(String source) {
            this.source = source;
            this.tags = Tags.of(TAG_SOURCE, source);
        }

        void registerAll(MeterRegistry r) {
            for (Group g : groupsSnapshot()) {
                register(r, g);
            }
            for (String code : failuresByCode.keySet()) {
                registerFailure(r, code);
            }
        }

        synchronized java.util.Set<Group> groupsSnapshot() {
            return java.util.EnumSet.copyOf(groups);
        }

        void register(MeterRegistry r, Group g) {
            switch (g) {
                case CORE -> {
                    Gauge.builder(JOB_FAILURE_COUNT, this, s -> s.failuresSinceSuccess).tags(tags).strongReference(true)
                            .description("Backups failed since the last successful one").register(r);
                    Gauge.builder(LAST_SUCCESS, this, s -> s.lastSuccessSeconds).tags(tags).strongReference(true)
                            .baseUnit("seconds").description("Completion time of the newest committed backup (epoch; 0: none)")
                            .register(r);
                    Gauge.builder(SIZE, this, s -> s.lastSize).tags(tags).strongReference(true).baseUnit("bytes")
                            .description("Stored size of the newest committed backup").register(r);
                    Gauge.builder(SIZE_ANOMALY, this, s -> s.anomaly).tags(tags).strongReference(true)
                            .description("1 if the newest backup's size is outside the band around the median of recent sizes")
                            .register(r);
                    FunctionCounter.builder(SUCCESS, this, s -> s.successes).tags(tags)
                            .description("Successful backups").register(r);
                    FunctionTimer.builder(DURATION, this, s -> (long) s.successes, s -> s.successNanos, TimeUnit.NANOSECONDS)
                            .tags(tags).description("Duration of successful backups").register(r);
                }
                case RESTORE -> {
                    Gauge.builder(RESTORE_TEST_SUCCESS, this, s -> s.restorePassed).tags(tags).strongReference(true)
                            .description("1 if the last restore test or verification passed, 0 if it failed").register(r);
                    Gauge.builder(RESTORE_TEST_TIMESTAMP, this, s -> s.restoreSeconds).tags(tags).strongReference(true)
                            .baseUnit("seconds").description("When the last restore test or verification finished (epoch)")
                            .register(r);
                }
                case OBJECTIVE -> Gauge.builder(OBJECTIVE_RPO, this, s -> s.objectiveRpoSeconds).tags(tags)
                        .strongReference(true).baseUnit("seconds").description("Configured recovery point objective")
                        .register(r);
                case SCHEDULE -> Gauge.builder(SCHEDULE_RPO, this, s -> s.scheduleRpoSeconds).tags(tags)
                        .strongReference(true).baseUnit("seconds")
                        .description("Recovery point the schedule implies (its interval)").register(r);
                case WAL -> Gauge.builder(WAL_ARCHIVE_LAG, this, SourceMeters::walLagSeconds).tags(tags)
                        .strongReference(true).baseUnit("seconds")
                        .description("Seconds since the last WAL file was archived").register(r);
                case CERTIFICATE -> Gauge.builder(CERTIFICATE_EXPIRY, this, s -> s.certificateExpirySeconds).tags(tags)
                        .strongReference(true).baseUnit("seconds")
                        .description("Earliest certificate expiry (notAfter) in the newest backup (epoch)").register(r);
            }
        }

        void registerFailure(MeterRegistry r, String code) {
            long[] count = failuresByCode.get(code);
            FunctionCounter.builder(FAILURE, count, c -> c[0]).tags(tags.and(TAG_CODE, code))
                    .description("Failed backups by error code").register(r);
        }

        private void ensure(Group g) {
            boolean added;
            synchronized (this) {
                added = groups.add(g);
            }
            if (added) {
                registerEverywhere(this, g);
            }
        }

        synchronized void succeeded(String backupId, Instant at, Duration duration, long storedBytes) {
            anomaly = anomalyRule.isAnomalous(List.copyOf(sizes), storedBytes) ? 1 : 0;
            remember(storedBytes);
            lastSize = storedBytes;
            lastSuccess = at;
            lastSuccessSeconds = seconds(at);
            failuresSinceSuccess = 0;
            successNanos += duration.toNanos();
            successes++;
            if (pendingCertificateExpiry != null) {
                certificateExpirySeconds = seconds(pendingCertificateExpiry);
                certificateBackupAt = at;
                certificateBackupId = backupId;
                pendingCertificateExpiry = null;
            } else if (groups.contains(Group.CERTIFICATE)) {
                certificateExpirySeconds = Double.NaN; // no certificate within the window: the earliest is unknown here
                certificateBackupAt = at;
                certificateBackupId = backupId;
            }
        }

        void certificateExpiring(Instant notAfter) {
            synchronized (this) {
                if (pendingCertificateExpiry == null || notAfter.isBefore(pendingCertificateExpiry)) {
                    pendingCertificateExpiry = notAfter;
                }
            }
            ensure(Group.CERTIFICATE);
        }

        void seedCertificates(String backupId, Instant backupCompleted, Instant earliest) {
            synchronized (this) {
                if (certificateBackupAt != null && !backupId.equals(certificateBackupId)
                        && backupCompleted.isBefore(certificateBackupAt)) {
                    return; // events told us about a newer backup
                }
                if (!backupId.equals(certificateBackupId)) {
                    certificateBackupAt = backupCompleted; // same backup: keep the (later) event time
                }
                certificateBackupId = backupId;
                certificateExpirySeconds = seconds(earliest);
            }
            ensure(Group.CERTIFICATE);
        }

        void failed(Instant at, String code) {
            boolean newCode;
            synchronized (this) {
                pendingCertificateExpiry = null; // the failed backup's certificates were not committed
                lastFailure = at;
                failuresSinceSuccess++;
                long[] count = failuresByCode.get(code);
                newCode = count == null;
                if (newCode) {
                    count = new long[1];
                    failuresByCode.put(code, count);
                }
                count[0]++;
            }
            if (newCode) {
                synchronized (BackupMetrics.this) {
                    for (MeterRegistry r : registries) {
                        registerFailure(r, code);
                    }
                }
            }
        }

        void restoreTest(Instant at, boolean passed) {
            synchronized (this) {
                restorePassed = passed ? 1 : 0;
                restoreSeconds = seconds(at);
            }
            ensure(Group.RESTORE);
        }

        void objectiveRpo(Duration rpo) {
            objectiveRpoSeconds = rpo.toNanos() / 1e9;
            ensure(Group.OBJECTIVE);
        }

        void walLag(java.util.function.DoubleSupplier supplier) {
            walLag = supplier;
            ensure(Group.WAL);
        }

        double walLagSeconds() {
            java.util.function.DoubleSupplier supplier = walLag;
            try {
                return supplier == null ? Double.NaN : supplier.getAsDouble();
            } catch (RuntimeException e) {
                LOG.warn("WAL archive lag of '{}' unavailable: {}", source, e.getMessage());
                return Double.NaN;
            }
        }

        void scheduleRpo(Duration interval) {
            scheduleRpoSeconds = interval.toNanos() / 1e9;
            ensure(Group.SCHEDULE);
        }

        /** {@code sizes}: stored sizes of the newest committed backups, oldest first, the newest last. */
        synchronized void seed(Instant newestCompleted, List<Long> sizes) {
            if (lastFailure != null && newestCompleted.isAfter(lastFailure)) {
                failuresSinceSuccess = 0;   // another replica (or an earlier process) succeeded since
            }
            if (lastSuccess != null && !newestCompleted.isAfter(lastSuccess)) {
                return;                     // events already told us as much or more
            }
            long newestSize = sizes.get(sizes.size() - 1);
            List<Long> previous = sizes.subList(0, sizes.size() - 1);
            anomaly = anomalyRule.isAnomalous(previous, newestSize) ? 1 : 0;
            this.sizes.clear();
            previous.forEach(this::remember);
            remember(newestSize);
            lastSize = newestSize;
            lastSuccess = newestCompleted;
            lastSuccessSeconds = seconds(newestCompleted);
        }

        private void remember(long size) {
            sizes.addLast(size);
            while (sizes.size() > anomalyRule.window()) {
                sizes.removeFirst();
            }
        }
    }

    private static double seconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1e9;
    }

    /** Settings of {@link BackupMetrics}. Not thread safe; each setting may be given once. */
    public static final class Builder {
        private SizeAnomalyRule anomalyRule = SizeAnomalyRule.defaults();
        private boolean anomalyRuleSet;

        private Builder() {
        }

        /**
         * How {@value #SIZE_ANOMALY} is decided. Default {@link SizeAnomalyRule#defaults()}: the median of
         * the previous 14 sizes, ±50 %, judged once 3 are known.
         *
         * @throws IllegalStateException if given twice
         */
        public Builder sizeAnomaly(SizeAnomalyRule rule) {
            Objects.requireNonNull(rule, "rule");
            if (anomalyRuleSet) {
                throw new IllegalStateException("sizeAnomaly(..) was already set to " + anomalyRule);
            }
            this.anomalyRule = rule;
            this.anomalyRuleSet = true;
            return this;
        }

        /** The metrics; bind them with {@link BackupMetrics#bindTo} and register them with the engine builder's {@code listener(..)}. */
        public BackupMetrics build() {
            return new BackupMetrics(this);
        }
    }
}
