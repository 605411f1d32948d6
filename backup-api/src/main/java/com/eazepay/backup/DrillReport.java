package com.eazepay.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a disaster-recovery drill ({@code engine.drill()}), per source: what was restored, how long
 * recovery took and how old the recovered data was, against the objectives. Written to the repository as
 * {@code reports/drill/{time}-{scenario}.json} and {@code .md}; {@code engine.reports()} lists them.
 *
 * @param scenario       the drill's scenario
 * @param startedAt      drill start (engine clock): the moment of the simulated disaster
 * @param rpo            recovery point objective: the oldest acceptable data at recovery
 * @param rto            recovery time objective: the longest acceptable recovery
 * @param sources        one line per source
 * @param quarantined    breach drills: the backups quarantined as {@code source/backupId} (taken at or after the breach)
 * @param rekeyed        breach drills: the backups re-encrypted to the new recipients, as {@code source/backupId}
 * @param secretsToRotate breach drills: the secrets the sources' configurations hold, by name, to rotate
 * @param reportKeys     where the report was written (JSON, Markdown)
 */
public record DrillReport(Drill.Scenario scenario, Instant startedAt, Duration rpo, Duration rto, List<SourceResult> sources,
                          List<String> quarantined, List<String> rekeyed, List<String> secretsToRotate, List<String> reportKeys) {
    public DrillReport {
        Objects.requireNonNull(scenario, "scenario");
        sources = List.copyOf(sources);
        quarantined = List.copyOf(quarantined);
        rekeyed = List.copyOf(rekeyed);
        secretsToRotate = List.copyOf(secretsToRotate);
        reportKeys = List.copyOf(reportKeys);
    }

    /** Whether every source recovered, passed its checks and met both objectives. */
    public boolean passed() {
        return !sources.isEmpty() && sources.stream().allMatch(SourceResult::passed);
    }

    /** Throws {@code CHECK_FAILED} naming every source that failed or missed an objective. @return this, if it passed */
    /**
     * This report as JSON-ready maps and lists: the record written under {@code reports/drill/} and what the
     * command line prints with {@code --json}. Durations as ISO-8601 text; per source {@code stageMillis}.
     */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("scenario", scenario().name());
        doc.put("startedAt", startedAt().toString());
        doc.put("rpo", rpo().toString());
        doc.put("rto", rto().toString());
        doc.put("passed", passed());
        List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
        for (SourceResult s : sources()) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("source", s.source());
            m.put("backupId", s.backupId());
            m.put("restoredInto", s.restoredInto());
            m.put("recovered", s.recovered());
            m.put("passed", s.passed());
            m.put("timeToRecover", s.timeToRecover() == null ? null : s.timeToRecover().toString());
            m.put("dataAge", s.dataAge() == null ? null : s.dataAge().toString());
            m.put("bytes", s.bytes());
            m.put("restoreMillis", s.restore().toMillis());
            m.put("rpoMet", s.rpoMet());
            m.put("rtoMet", s.rtoMet());
            m.put("why", s.why());
            java.util.Map<String, Object> stages = new java.util.LinkedHashMap<>();
            s.stages().forEach((k, v) -> stages.put(k, v.toMillis()));
            m.put("stageMillis", stages);
            if (s.swap() != null) {
                m.put("swap", s.swap());
            }
            rows.add(m);
        }
        doc.put("sources", rows);
        doc.put("quarantined", quarantined());
        doc.put("rekeyed", rekeyed());
        doc.put("secretsToRotate", secretsToRotate());
        return doc;
    }

    public DrillReport orThrow() {
        if (passed()) {
            return this;
        }
        throw new BackupException(CoreErrorCode.CHECK_FAILED, scenario.name().toLowerCase(java.util.Locale.ROOT) + " drill failed: "
                + sources.stream().filter(s -> !s.passed()).map(s -> s.source() + " (" + s.why() + ")").toList()
                + (sources.isEmpty() ? " no source to recover" : "") + "; see " + reportKeys);
    }

    /**
     * One source's recovery.
     *
     * @param source       source name
     * @param backupId     the restored backup, or null if none could be chosen
     * @param restoredInto where it was restored (the scratch target)
     * @param recovered    whether the restore succeeded and every check passed
     * @param timeToRecover drill start to checks passed (engine clock): the achieved RTO; null if not recovered
     * @param dataAge      drill start minus the point recovered: the restored backup's consistent point, or the later
     *                     point the source replayed to ({@link com.eazepay.backup.spi.RestoreOutcome#RECOVERED_TO}: a
     *                     PostgreSQL base backup plus WAL, the last replayed commit); the achieved RPO; null if none
     * @param bytes        stored bytes read
     * @param restore      wall time of restore and checks (and the swap, when one was asked for)
     * @param why          what failed, or {@code ok}
     * @param stages       wall time per stage, in order: {@code select} (listing, manifest reads), {@code restore} (fetch,
     *                     SHA-256, decrypt, decompress, load), {@code checks} (the source's and the user's checks; a
     *                     source that does not time its checks apart reports one {@code restore+checks} instead),
     *                     {@code swap} (when {@code swap()} was asked for), {@code cleanup} (dropping the scratch target,
     *                     deleting the cleanup journal); stages not reached are absent
     * @param swap         with {@code swap()}: {@code swapped into X; previous kept as Y} or {@code NOT swapped: why}
     *                     (a source that cannot swap, failed checks, a failed swap: the source then fails); else null
     */
    public record SourceResult(String source, String backupId, String restoredInto, boolean recovered, Duration timeToRecover,
                               Duration dataAge, long bytes, Duration restore, boolean rpoMet, boolean rtoMet, String why,
                               java.util.Map<String, Duration> stages, String swap) {
        public SourceResult {
            stages = stages == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stages));
        }

        /** Without a swap. */
        public SourceResult(String source, String backupId, String restoredInto, boolean recovered, Duration timeToRecover,
                            Duration dataAge, long bytes, Duration restore, boolean rpoMet, boolean rtoMet, String why,
                            java.util.Map<String, Duration> stages) {
            this(source, backupId, restoredInto, recovered, timeToRecover, dataAge, bytes, restore, rpoMet, rtoMet, why, stages, null);
        }

        /** Without stage timings. */
        public SourceResult(String source, String backupId, String restoredInto, boolean recovered, Duration timeToRecover,
                            Duration dataAge, long bytes, Duration restore, boolean rpoMet, boolean rtoMet, String why) {
            this(source, backupId, restoredInto, recovered, timeToRecover, dataAge, bytes, restore, rpoMet, rtoMet, why, null);
        }

        public boolean passed() {
            return recovered && rpoMet && rtoMet;
        }
    }
}
