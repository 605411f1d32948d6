package com.eazepay.backup.internal.schedule;

import com.eazepay.backup.Objectives;
import com.eazepay.backup.ShutdownPolicy;

import java.time.Duration;
import java.util.List;

/**
 * The scheduling settings of an engine.
 *
 * @param jobs            every recurring job, backups first (configuration order), then prune, verify, copy
 * @param objectives      recovery objectives, or {@link Objectives#none()}
 * @param shutdownPolicy  what close() does with running jobs
 * @param shutdownTimeout how long close() waits for running jobs (FINISH) or for aborted jobs to end
 * @param threads         scheduler threads (jobs that run at once)
 * @param grace           how late a slot may start and still count as on time; also the catch-up margin
 * @param leaseDuration   the slot lease's duration (renewed every quarter of it while the job runs)
 */
public record ScheduleConfig(List<ScheduledJobSpec> jobs, Objectives objectives, ShutdownPolicy shutdownPolicy,
                             Duration shutdownTimeout, int threads, Duration grace, Duration leaseDuration) {

    public ScheduleConfig {
        jobs = List.copyOf(jobs);
    }
}
