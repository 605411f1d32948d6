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
 * details (the {@code BackupRpoExceeded} alert pages for it; a health check that restarts pods would not help).
 * Schedules are not considered yet: the scheduler is not part of this version.
 */
public final class BackupHealthIndicator implements HealthIndicator {

    private final BackupEngine engine;
    private final BackupStatus status;
    private final BackupConfig config;
    private final Clock clock;

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
    public Health health() {
        Map<String, Object> sources = new LinkedHashMap<>();
        boolean anyDown = false;
        boolean allUp = true;
        for (String name : engine.sourceNames()) {
            BackupStatus.SourceStatus s = status.source(name);
            Map<String, Object> d = new LinkedHashMap<>();
            Status st;
            if (s.failing()) {
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
                d.put("rpoExceeded", s.lastSuccessAt() == null || s.lastSuccessAt().plus(rpo).isBefore(now));
            }
            sources.put(name, d);
        }
        Status overall = anyDown ? Status.DOWN : allUp ? Status.UP : Status.UNKNOWN;
        return Health.status(overall).withDetail("repository", engine.describeRepository()).withDetail("sources", sources).build();
    }
}
