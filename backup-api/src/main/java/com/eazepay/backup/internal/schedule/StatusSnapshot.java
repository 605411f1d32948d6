package com.eazepay.backup.internal.schedule;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.EngineStatus;
import com.eazepay.backup.EngineStatus.JobStatus;
import com.eazepay.backup.EngineStatus.ObjectiveStatus;
import com.eazepay.backup.EngineStatus.SourceStatus;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds {@link EngineStatus}: reads the newest manifest of each source and the newest slot records. */
public final class StatusSnapshot {

    private static final Logger LOG = LoggerFactory.getLogger(StatusSnapshot.class);
    private static final int RECORDS_READ = 20;

    private StatusSnapshot() {
    }

    public static EngineStatus take(BackupEngine engine, Map<String, BackupSource> sources, StorageTarget repository,
                                    DefaultScheduler scheduler, StatusTracker tracker, Clock clock) {
        Instant now = clock.instant();
        ScheduleConfig sc = scheduler.config();
        Map<String, Manifest> latest = new HashMap<>();
        for (String name : sources.keySet()) {
            try {
                engine.latest(name).ifPresent(m -> latest.put(name, m));
            } catch (BackupException e) {
                LOG.warn("status: reading the newest backup of '{}' failed ({}): {}", name, e.errorCode().name(), e.getMessage());
            }
        }
        Map<String, ObjectiveStatus> objectives = new HashMap<>();
        for (ObjectiveStatus o : ObjectiveCheck.evaluate(sources, sc, name -> {
            Manifest m = latest.get(name);
            return m == null || m.completedAt() == null ? null : Duration.between(m.completedAt(), now);
        }, repository, now)) {
            objectives.put(o.source(), o);
        }
        List<SourceStatus> out = new ArrayList<>();
        for (String name : sources.keySet()) {
            Optional<ScheduledJobSpec> spec = sc.jobs().stream().filter(j -> name.equals(j.source())).findFirst();
            StatusTracker.Failure failure = tracker.lastFailure(name);
            if (spec.isPresent()) {
                SlotRecords.SlotRecord rec = newest(scheduler, spec.get().name(), false);
                if (rec != null && (failure == null || rec.finishedAt().isAfter(failure.at()))) {
                    failure = new StatusTracker.Failure(rec.finishedAt(), rec.code(), rec.message());
                }
            }
            Manifest m = latest.get(name);
            out.add(new SourceStatus(name, spec.map(s -> s.schedule().toString()).orElse(null),
                    m == null ? null : m.completedAt(), m == null ? null : m.id(),
                    failure == null ? null : failure.at(), failure == null ? null : failure.code(),
                    failure == null ? null : failure.message(),
                    spec.map(s -> scheduler.nextRun(s, now)).orElse(null),
                    tracker.running(name) || spec.map(s -> scheduler.running(s.name())).orElse(false),
                    objectives.get(name)));
        }
        List<JobStatus> jobs = new ArrayList<>();
        for (ScheduledJobSpec j : sc.jobs()) {
            if (j.source() != null) {
                continue;
            }
            SlotRecords.SlotRecord rec = newest(scheduler, j.name(), true);
            jobs.add(new JobStatus(j.name(), j.schedule().toString(), rec == null ? null : rec.slot(),
                    rec == null ? null : rec.succeeded() ? "succeeded" : "failed: " + rec.code() + " " + rec.message(),
                    scheduler.nextRun(j, now), scheduler.running(j.name())));
        }
        return new EngineStatus(now, out, jobs);
    }

    /** The newest record of a job ({@code any}) or its newest failure record. */
    private static SlotRecords.SlotRecord newest(DefaultScheduler scheduler, String job, boolean any) {
        try {
            for (SlotRecords.SlotRecord r : scheduler.records().newest(job, RECORDS_READ)) {
                if (any || !r.succeeded()) {
                    return r;
                }
            }
        } catch (BackupException e) {
            LOG.warn("status: reading the slot records of {} failed ({}): {}", job, e.errorCode().name(), e.getMessage());
        }
        return null;
    }
}
