package com.eazepay.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of an engine's sources and recurring jobs, from {@link BackupEngine#status()}: the
 * data behind metrics and health checks. Immutable. Nullable components are documented as such.
 *
 * @param at      when the snapshot was taken (engine clock)
 * @param sources one entry per configured source, in configuration order
 * @param jobs    the recurring jobs other than backups (prune, verify, copy) that have a schedule
 */
public record EngineStatus(Instant at, List<SourceStatus> sources, List<JobStatus> jobs) {

    public EngineStatus {
        sources = List.copyOf(sources);
        jobs = List.copyOf(jobs);
    }

    /** The status of one source. */
    public Optional<SourceStatus> source(String name) {
        return sources.stream().filter(s -> s.source().equals(name)).findFirst();
    }

    /**
     * One source.
     *
     * @param source             the source name
     * @param schedule           its schedule ({@link Schedule#toString()}), null if unscheduled
     * @param lastSuccess        completion of the newest committed backup in the repository (any process), or null
     * @param lastSuccessId      that backup's id, or null
     * @param lastFailure        the newest failure seen by this process or recorded by a scheduler in the repository, or null
     * @param lastFailureCode    its error code name, or null
     * @param lastFailureMessage its message, or null
     * @param nextRun            when the next slot is due (with jitter), null if unscheduled or the scheduler is closed
     * @param running            whether a backup of the source runs in this process now
     * @param objective          the source's objective check, null if it has no RPO
     */
    public record SourceStatus(String source, String schedule, Instant lastSuccess, String lastSuccessId, Instant lastFailure,
                               String lastFailureCode, String lastFailureMessage, Instant nextRun, boolean running,
                               ObjectiveStatus objective) {
    }

    /**
     * One recurring job other than a backup.
     *
     * @param job         {@code prune}, {@code verify} or {@code copy}
     * @param schedule    its schedule
     * @param lastRun     the slot of its newest recorded run, or null
     * @param lastOutcome {@code succeeded} or {@code failed: CODE message}, or null
     * @param nextRun     when the next slot is due, or null if the scheduler is closed
     * @param running     whether it runs in this process now
     */
    public record JobStatus(String job, String schedule, Instant lastRun, String lastOutcome, Instant nextRun, boolean running) {
    }

    /**
     * A source's recovery objectives against its schedule, its continuous archiving (if any) and its newest backup.
     *
     * @param source           the source
     * @param rpo              the configured recovery point objective
     * @param rto              the configured recovery time objective, or null
     * @param scheduleRpo      the recovery point the schedule implies ({@link Schedule#impliedRpo()}), null if unscheduled
     * @param scheduleMeetsRpo whether {@code scheduleRpo <= rpo} (the schedule alone; see {@link #meetsRpo()})
     * @param dataAge          age of the newest committed backup at the snapshot, or null if unknown (not read, or none)
     * @param advice           what would meet the RPO when it is not met, or how continuous archiving meets it when the
     *                         schedule alone cannot; else null
     * @param recoverableUntil the newest point continuous archiving beside the backups makes recoverable
     *                         ({@link com.eazepay.backup.spi.BackupSource#recoverableUntil}: for PostgreSQL, when the
     *                         newest WAL file was archived), or null if the source has none, nothing is archived yet or
     *                         the archive could not be read
     * @param archiveLag       time from {@code recoverableUntil} to the snapshot (never negative): the data a loss now
     *                         would cost, the recovery point continuous archiving achieves; null with {@code recoverableUntil}
     */
    public record ObjectiveStatus(String source, Duration rpo, Duration rto, Duration scheduleRpo, boolean scheduleMeetsRpo,
                                  Duration dataAge, String advice, Instant recoverableUntil, Duration archiveLag) {

        /** A status without continuous archiving. */
        public ObjectiveStatus(String source, Duration rpo, Duration rto, Duration scheduleRpo, boolean scheduleMeetsRpo,
                               Duration dataAge, String advice) {
            this(source, rpo, rto, scheduleRpo, scheduleMeetsRpo, dataAge, advice, null, null);
        }

        /**
         * The recovery point achievable now: the smaller of the schedule's ({@code scheduleRpo}) and continuous
         * archiving's ({@code archiveLag}); null if neither is known.
         */
        public Duration achievableRpo() {
            if (archiveLag == null) {
                return scheduleRpo;
            }
            return scheduleRpo == null || archiveLag.compareTo(scheduleRpo) < 0 ? archiveLag : scheduleRpo;
        }

        /** Whether the RPO is met: by the schedule, or by continuous archiving whose lag is within it. */
        public boolean meetsRpo() {
            return scheduleMeetsRpo || (archiveLag != null && archiveLag.compareTo(rpo) <= 0);
        }

        /**
         * Whether the newest recoverable point is older than the RPO (false when its age is unknown): the newest
         * backup's age, or the archive lag where continuous archiving is younger.
         */
        public boolean rpoExceeded() {
            Duration age = dataAge;
            if (archiveLag != null && (age == null || archiveLag.compareTo(age) < 0)) {
                age = archiveLag;
            }
            return age != null && age.compareTo(rpo) > 0;
        }
    }

    /** A fixed-width text table, one line per source and per job, for logs and demos. */
    public String toTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SOURCE/JOB", "SCHEDULE", "LAST SUCCESS", "LAST FAILURE", "NEXT RUN", "RUNNING", "OBJECTIVE"});
        for (SourceStatus s : sources) {
            String failure = s.lastFailure() == null ? "-" : orDash(s.lastFailure()) + " " + s.lastFailureCode();
            rows.add(new String[] {s.source(), orDash(s.schedule()), orDash(s.lastSuccess()), failure, orDash(s.nextRun()),
                    s.running() ? "yes" : "no", objective(s.objective())});
        }
        for (JobStatus j : jobs) {
            String last = j.lastRun() == null ? "-" : orDash(j.lastRun()) + " " + j.lastOutcome();
            rows.add(new String[] {j.job(), j.schedule(), j.lastOutcome() != null && j.lastOutcome().startsWith("succeeded") ? last : "-",
                    j.lastOutcome() != null && j.lastOutcome().startsWith("failed") ? last : "-", orDash(j.nextRun()),
                    j.running() ? "yes" : "no", "-"});
        }
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format("%-" + w[i] + "s", r[i]));
                if (i < r.length - 1) {
                    line.append("  ");
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String objective(ObjectiveStatus o) {
        if (o == null) {
            return "-";
        }
        String archive = o.archiveLag() == null ? "" : " (archive lag " + o.archiveLag().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")";
        if (!o.meetsRpo()) {
            return "RPO " + o.rpo() + " NOT MET by schedule (" + (o.scheduleRpo() == null ? "unscheduled" : o.scheduleRpo()) + ")"
                    + (o.archiveLag() == null ? "" : " nor archiving" + archive);
        }
        if (o.rpoExceeded()) {
            return "RPO " + o.rpo() + " EXCEEDED (last backup " + o.dataAge() + " ago)";
        }
        return "RPO " + o.rpo() + " ok" + archive;
    }

    private static String orDash(Object o) {
        if (o instanceof Instant i) {
            return i.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        }
        return o == null ? "-" : o.toString();
    }
}
