package com.eazepay.backup.internal.schedule;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.EngineStatus.ObjectiveStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Clock;
import java.util.function.Consumer;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.spi.BackupSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Checks each source's schedule against its recovery point objective. */
public final class ObjectiveCheck {

    private static final Logger LOG = LoggerFactory.getLogger(ObjectiveCheck.class);

    private ObjectiveCheck() {
    }

    /**
     * One status per source with an RPO, in configuration order.
     *
     * @param dataAge the age of a source's newest backup, or null if unknown
     */
    public static List<ObjectiveStatus> evaluate(Map<String, BackupSource> sources, ScheduleConfig sc,
                                                 Function<String, Duration> dataAge) {
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
            out.add(new ObjectiveStatus(s.name(), rpo, sc.objectives().rtoFor(s.name()).orElse(null), implied, meets,
                    dataAge.apply(s.name()), meets ? null : advice(s.type(), rpo, schedule)));
        }
        return out;
    }

    /** Logs a WARN and publishes {@link BackupEvent.ObjectiveBreached} for each status whose schedule cannot meet its RPO. */
    public static void report(List<ObjectiveStatus> statuses, Consumer<BackupEvent> publish, Clock clock) {
        for (ObjectiveStatus o : statuses) {
            if (!o.scheduleMeetsRpo()) {
                LOG.warn("source '{}' cannot meet its recovery point objective of {}: {}", o.source(), o.rpo(), o.advice());
                publish.accept(new BackupEvent.ObjectiveBreached(o.source(), o.rpo(), o.scheduleRpo(), o.advice(), clock.instant()));
            }
        }
    }

    /** What would meet {@code rpo} for a source of {@code type}. */
    static String advice(String type, Duration rpo, Schedule schedule) {
        String more = "a schedule with at most " + rpo + " between backups (e.g. Schedule.every(" + rpo + "))";
        String now = schedule == null ? "the source has no schedule" : "its schedule (" + schedule + ") implies " + schedule.impliedRpo();
        String alt = switch (type) {
            case "postgres" -> "; or continuous WAL archiving (archive_command / pg_receivewal, e.g. pgBackRest or WAL-G) "
                    + "next to the daily dump, which gives a recovery point of seconds";
            case "mongo" -> "; or continuous oplog capture (mongodump --oplog plus oplog tailing) next to the dump";
            case "redis" -> "; or AOF persistence (appendfsync everysec) on a replica next to the snapshots";
            default -> "";
        };
        return now + ": use " + more + alt;
    }
}
