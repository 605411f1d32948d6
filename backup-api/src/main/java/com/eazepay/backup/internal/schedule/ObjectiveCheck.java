package com.eazepay.backup.internal.schedule;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.EngineStatus.ObjectiveStatus;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Checks each source's recovery point objective against its schedule and, for a source with continuous archiving
 * ({@link BackupSource#recoverableUntil}), against the archive lag.
 */
public final class ObjectiveCheck {

    private static final Logger LOG = LoggerFactory.getLogger(ObjectiveCheck.class);

    private ObjectiveCheck() {
    }

    /**
     * One status per source with an RPO, in configuration order.
     *
     * @param dataAge     the age of a source's newest backup, or null if unknown
     * @param repository  where continuous archives are read ({@link BackupSource#recoverableUntil}); one call per
     *                    source with an RPO; a failure is logged and reads as no archiving
     * @param now         the snapshot time the archive lag is measured to
     */
    public static List<ObjectiveStatus> evaluate(Map<String, BackupSource> sources, ScheduleConfig sc,
                                                 Function<String, Duration> dataAge, StorageTarget repository, Instant now) {
        List<ObjectiveStatus> out = new ArrayList<>();
        for (BackupSource s : sources.values()) {
            Duration rpo = sc.objectives().rpoFor(s.name()).orElse(null);
            if (rpo == null) {
                continue;
            }
            Schedule schedule = sc.jobs().stream().filter(j -> s.name().equals(j.source())).map(ScheduledJobSpec::schedule)
                    .findFirst().orElse(null);
            Duration implied = schedule == null ? null : schedule.impliedRpo();
            boolean meets = implied != null && implied.compareTo(rpo) <= 0;
            Instant until = recoverableUntil(s, repository).orElse(null);
            Duration lag = until == null ? null : until.isAfter(now) ? Duration.ZERO : Duration.between(until, now);
            String advice = meets ? null : advice(s.type(), rpo, schedule);
            if (!meets && lag != null) {
                advice = lag.compareTo(rpo) <= 0
                        ? scheduleSays(schedule) + ", but continuous archiving meets the RPO: data is"
                        + " recoverable up to " + until + ", " + lag + " before the check (archive lag within " + rpo + ")"
                        : "continuous archiving lags: the newest archived point is " + until + ", " + lag + " before the check,"
                        + " beyond the RPO " + rpo + ": check the archiver (WalReceiver.lastError(), archive_command failures in"
                        + " the server log) and force WAL switches well within the RPO (archive_timeout); " + advice;
            }
            out.add(new ObjectiveStatus(s.name(), rpo, sc.objectives().rtoFor(s.name()).orElse(null), implied, meets,
                    dataAge.apply(s.name()), advice, until, lag));
        }
        return out;
    }

    private static Optional<Instant> recoverableUntil(BackupSource s, StorageTarget repository) {
        try {
            return s.recoverableUntil(repository);
        } catch (BackupException e) {
            LOG.warn("objectives: reading the continuous archive of '{}' in {} failed ({}): {}; the schedule alone is checked",
                    s.name(), repository.describe(), e.errorCode().name(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Logs a WARN and publishes {@link BackupEvent.ObjectiveBreached} for each status whose RPO is not met: neither its
     * schedule nor its continuous archiving ({@link ObjectiveStatus#meetsRpo()}).
     */
    public static void report(List<ObjectiveStatus> statuses, Consumer<BackupEvent> publish, Clock clock) {
        for (ObjectiveStatus o : statuses) {
            if (!o.meetsRpo()) {
                LOG.warn("source '{}' cannot meet its recovery point objective of {}: {}", o.source(), o.rpo(), o.advice());
                publish.accept(new BackupEvent.ObjectiveBreached(o.source(), o.rpo(), o.scheduleRpo(), o.advice(), clock.instant()));
            }
        }
    }

    /** What would meet {@code rpo} for a source of {@code type}. */
    static String advice(String type, Duration rpo, Schedule schedule) {
        String more = "a schedule with at most " + rpo + " between backups (e.g. Schedule.every(" + rpo + "))";
        String alt = switch (type) {
            case "postgres" -> "; or continuous WAL archiving (archive_command / pg_receivewal, e.g. pgBackRest or WAL-G) "
                    + "next to the daily dump, which gives a recovery point of seconds";
            case "postgres-base" -> "; or continuous WAL archiving into the repository, which gives a recovery point of"
                    + " seconds: no WAL is archived for this source yet (or its archive could not be read: see the log);"
                    + " start a WalReceiver or set archive_command to 'eazepay-backup wal-push %p'";
            case "mongo" -> "; or continuous oplog capture (mongodump --oplog plus oplog tailing) next to the dump";
            case "redis" -> "; or AOF persistence (appendfsync everysec) on a replica next to the snapshots";
            default -> "";
        };
        return scheduleSays(schedule) + ": use " + more + alt;
    }

    private static String scheduleSays(Schedule schedule) {
        return schedule == null ? "the source has no schedule" : "its schedule (" + schedule + ") implies " + schedule.impliedRpo();
    }
}
