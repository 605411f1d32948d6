package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.config.BackupConfig;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Health of the backups ({@code /actuator/health/backups}), per source and overall:
 * <ul>
 *   <li>a source is {@code DOWN} when its newest backup attempt failed after its last success (or it never
 *       succeeded and has failed);</li>
 *   <li>{@code UP} when its newest attempt succeeded (details: last success time and id);</li>
 *   <li>{@code UNKNOWN} when it was never backed up.</li>
 * </ul>
 * Overall: {@code DOWN} if any source is down, {@code UP} if every source is up, else {@code UNKNOWN}. A source
 * whose last success is older than its RPO objective stays {@code UP} with {@code rpoExceeded: true} in its
 * details (the {@code BackupRpoExceeded} alert pages for it; a health check that restarts pods would not help),
 * unless continuous archiving beside its backups is within the RPO: a PostgreSQL WAL archive, whose lag shows as
 * {@code archiveLag}.
 * A scheduled source ({@code eazepay.backup.sources.<name>.schedule}) is {@code DOWN} with {@code overdue: true}
 * when its last success is older than the schedule's interval plus jitter plus {@link #SCHEDULE_GRACE} (the
 * engine's default grace): slots were missed, whoever should have run them (this replica or another).
 */
public final class BackupHealthIndicator implements HealthIndicator {

    private final BackupEngine engine;
    private final BackupStatus status;
    private final BackupConfig config;
    private final Clock clock;

    private com.eazepay.backup.EngineStatus repositoryStatus;
    private Map<String, com.eazepay.backup.EngineStatus.ObjectiveStatus> objectives;

    /**
     * The engine's objective check of {@code source}, read at most once per health check and only for a source whose
     * last backup is older than its RPO: it reads the source's WAL archive, if it has one.
     */
    private java.util.Optional<com.eazepay.backup.EngineStatus.ObjectiveStatus> objective(String source) {
        if (objectives == null) {
            objectives = new LinkedHashMap<>();
            engine.objectives().forEach(o -> objectives.put(o.source(), o));
        }
        return java.util.Optional.ofNullable(objectives.get(source));
    }

    /**
     * The engine's status, read once per health check and only for scheduled sources: it reads the newest
     * committed backup from the repository, so a backup another replica ran counts.
     */
    private com.eazepay.backup.EngineStatus repositoryStatus() {
        if (repositoryStatus == null) {
            repositoryStatus = engine.status();
        }
        return repositoryStatus;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    /** How late a scheduled backup may be before the source is down: the engine's default schedule grace. */
    public static final Duration SCHEDULE_GRACE = Duration.ofMinutes(30);

    /**
     * @param config the configuration for objectives, or null
     */
    public BackupHealthIndicator(BackupEngine engine, BackupStatus status, BackupConfig config, Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.status = Objects.requireNonNull(status, "status");
        this.config = config;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized Health health() {
        repositoryStatus = null;
        objectives = null;
        Map<String, Object> sources = new LinkedHashMap<>();
        boolean anyDown = false;
        boolean allUp = true;
        for (String name : engine.sourceNames()) {
            BackupStatus.SourceStatus s = status.source(name);
            Map<String, Object> d = new LinkedHashMap<>();
            Status st;
            com.eazepay.backup.Schedule schedule = config != null && config.sources().containsKey(name)
                    ? config.source(name).parsedSchedule() : null;
            Instant lastSuccess = latest(s.lastSuccessAt(), schedule == null ? null : repositoryStatus().source(name)
                    .map(com.eazepay.backup.EngineStatus.SourceStatus::lastSuccess).orElse(null));
            boolean overdue = schedule != null && lastSuccess != null
                    && lastSuccess.plus(schedule.interval()).plus(schedule.jitter()).plus(SCHEDULE_GRACE).isBefore(clock.instant());
            if (schedule != null) {
                d.put("schedule", schedule.toString());
                d.put("overdue", overdue);
            }
            if (s.failing() || overdue) {
                st = Status.DOWN;
                anyDown = true;
            } else if (s.lastSuccessAt() != null) {
                st = Status.UP;
            } else {
                st = Status.UNKNOWN;
            }
            allUp &= st == Status.UP;
            d.put("status", st.getCode());
            if (s.lastSuccessAt() != null) {
                d.put("lastSuccess", s.lastSuccessAt().toString());
                d.put("lastBackupId", s.lastSuccessId());
            }
            if (s.failuresSinceSuccess() > 0) {
                d.put("failuresSinceLastSuccess", s.failuresSinceSuccess());
                d.put("lastFailure", String.valueOf(s.lastFailureAt()));
                d.put("lastFailureCode", String.valueOf(s.lastFailureCode()));
            }
            Duration rpo = config != null && config.sources().containsKey(name) ? config.source(name).objectives().rpo() : null;
            if (rpo != null) {
                d.put("rpo", rpo.toString());
                Instant now = clock.instant();
                boolean exceeded = s.lastSuccessAt() == null || s.lastSuccessAt().plus(rpo).isBefore(now);
                if (exceeded && s.lastSuccessAt() != null) {
                    // continuous archiving beside the backups (a PostgreSQL WAL archive) may still meet the RPO
                    Duration lag = objective(name).map(com.eazepay.backup.EngineStatus.ObjectiveStatus::archiveLag).orElse(null);
                    if (lag != null) {
                        d.put("archiveLag", lag.toString());
                        exceeded = lag.compareTo(rpo) > 0;
                    }
                }
                d.put("rpoExceeded", exceeded);
            }
            sources.put(name, d);
        }
        Status overall = anyDown ? Status.DOWN : allUp ? Status.UP : Status.UNKNOWN;
        return Health.status(overall).withDetail("repository", engine.describeRepository()).withDetail("sources", sources).build();
    }
}
