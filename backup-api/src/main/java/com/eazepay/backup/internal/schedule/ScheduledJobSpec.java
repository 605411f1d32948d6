package com.eazepay.backup.internal.schedule;

import com.eazepay.backup.Schedule;
import com.eazepay.backup.ScheduledJob;

/**
 * One recurring job.
 *
 * @param name     {@code backup-{source}}, {@code prune}, {@code verify} or {@code copy}: the lease and record directory
 * @param source   the source of a backup job, else null
 * @param schedule when it runs
 * @param action   what it runs
 */
public record ScheduledJobSpec(String name, String source, Schedule schedule, ScheduledJob action) {

    /** The job name of a source's backups. */
    public static String backupJob(String source) {
        return "backup-" + source;
    }
}
