package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.postgres.internal.WalNames;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which archived WAL files a recovery needs, checked from the archive's commit records (and the timeline history
 * files it follows) alone: every segment from the base backup's start segment through its stop segment, then on to
 * the target. For a {@link RecoveryTarget.Kind#TIME} target the chain must reach the first segment committed to the
 * archive at or after the target time (a segment archived after {@code t} holds WAL written up to at least the
 * position the server was at at {@code t}); for an LSN, the segment holding it; for latest and restore points, the
 * end of the contiguous chain (a later segment after a gap fails: "latest" would silently stop early).
 *
 * <h2>Timelines</h2>
 * With a {@link RecoveryTimeline} after the base backup's timeline (a server restored and promoted, archiving on
 * into the same archive), the chain follows that timeline's history file ({@code 00000002.history}: the parent
 * timeline and the LSN where it switched): each segment is taken from the newest timeline of the history that had
 * begun by that segment, as PostgreSQL reads them, so timeline 1 up to the switch segment and timeline 2 from it
 * on. {@link RecoveryTimeline#latest()} is the highest timeline whose history files are archived without a gap
 * from the base backup's (PostgreSQL's probe). A missing history file while WAL of a later timeline is archived, a
 * timeline that does not descend from the base backup's, a switch before the base backup's end, or a gap on the new
 * timeline fail here, before anything is written.
 */
public final class WalChain {

    /** Reads an archived timeline history file ({@code 00000002.history}) as text. */
    @FunctionalInterface
    public interface HistoryReader {
        /**
         * The text of {@code historyFile}.
         *
         * @throws BackupException when it cannot be read or verified
         */
        String read(WalSegment historyFile);
    }

    private final List<WalSegment> required;
    private final List<WalSegment> following;
    private final List<WalSegment> histories;
    private final long timeline;

    private WalChain(List<WalSegment> required, List<WalSegment> following, List<WalSegment> histories, long timeline) {
        this.required = List.copyOf(required);
        this.following = List.copyOf(following);
        this.histories = List.copyOf(histories);
        this.timeline = timeline;
    }

    /** Segments recovery cannot do without, in order. */
    public List<WalSegment> required() {
        return required;
    }

    /** Contiguous segments after the required ones (recovery may read on until it sees a commit after the target). */
    public List<WalSegment> following() {
        return following;
    }

    /** The history files of the timelines after the base backup's up to {@link #timeline()}, which recovery reads. */
    public List<WalSegment> histories() {
        return histories;
    }

    /** The timeline recovery follows (the base backup's when no switch is followed). */
    public long timeline() {
        return timeline;
    }

    /**
     * Plans the chain on the base backup's timeline ({@link RecoveryTimeline#current()}).
     *
     * @throws BackupException {@link PitrErrorCode#WAL_MISSING} naming the first missing segment, or saying the
     *                         archive ends before the target (and when its last segment was archived)
     */
    public static WalChain plan(List<WalSegment> archived, String startFile, String stopFile, long segmentSize,
                                RecoveryTarget target) {
        return plan(archived, h -> {
            throw new IllegalStateException("no history file is read on the base backup's timeline");
        }, startFile, stopFile, segmentSize, target, RecoveryTimeline.current());
    }

    /**
     * Plans the chain on {@code timeline}, reading the history files it follows through {@code histories}.
     *
     * @throws BackupException {@link PitrErrorCode#WAL_MISSING} naming the first missing segment or history file, or
     *                         saying the archive ends before the target; {@code INVALID_CONFIGURATION} when the
     *                         timeline does not descend from the base backup's or switched before its end
     */
    public static WalChain plan(List<WalSegment> archived, HistoryReader histories, String startFile, String stopFile,
                                long segmentSize, RecoveryTarget target, RecoveryTimeline timeline) {
        long baseTli = WalNames.timeline(startFile);
        Map<Long, WalSegment> historyFiles = new HashMap<>();
        long newestArchived = baseTli;
        for (WalSegment s : archived) {
            WalNames.historyTimeline(s.name()).ifPresent(t -> historyFiles.put(t, s));
            newestArchived = Math.max(newestArchived, fileTimeline(s.name()));
        }
        long targetTli = targetTimeline(timeline, baseTli, historyFiles, newestArchived);
        Timelines path = Timelines.of(baseTli, targetTli, historyFiles, histories, stopFile, segmentSize);
        TreeMap<Long, WalSegment> onPath = new TreeMap<>();
        for (WalSegment s : archived) {
            if (WalNames.isSegment(s.name())) {
                long n = WalNames.segmentNumber(s.name(), segmentSize);
                if (WalNames.timeline(s.name()) == path.timelineOf(n)) {
                    onPath.put(n, s);
                }
            }
        }
        long first = WalNames.segmentNumber(startFile, segmentSize);
        long stop = WalNames.segmentNumber(stopFile, segmentSize);
        long needThrough = switch (target.kind()) {
            case LSN -> Math.max(stop, Long.divideUnsigned(WalNames.parseLsn(target.value()), segmentSize));
            default -> stop;
        };
        List<WalSegment> required = new ArrayList<>();
        long n = first;
        boolean timeReached = target.kind() != RecoveryTarget.Kind.TIME;
        while (true) {
            WalSegment s = onPath.get(n);
            if (s == null) {
                break;
            }
            required.add(s);
            if (!timeReached && !s.archivedAt().isBefore(target.instant())) {
                timeReached = true;
            }
            if (n >= needThrough && timeReached && target.kind() != RecoveryTarget.Kind.LATEST
                    && target.kind() != RecoveryTarget.Kind.NAME) {
                n++;
                break;
            }
            n++;
        }
        String missing = WalNames.name(path.timelineOf(n), n, segmentSize);
        Map.Entry<Long, WalSegment> after = onPath.ceilingEntry(n);
        String on = targetTli == baseTli ? "" : " (following timeline " + targetTli + ")";
        if (n <= needThrough || (!timeReached && after != null)) {
            throw new BackupException(PitrErrorCode.WAL_MISSING, "WAL segment " + missing + " is not in the archive,"
                    + " but the base backup (WAL " + startFile + " to " + stopFile + ") needs it to reach " + target + on
                    + (after != null ? " (the archive resumes at " + after.getValue().name() + ": a gap)" : "")
                    + ": the WAL chain is broken; choose another base backup or target, or archive the segment if the"
                    + " server still has it");
        }
        if (!timeReached) {
            WalSegment last = required.get(required.size() - 1);
            throw new BackupException(PitrErrorCode.WAL_MISSING, "the WAL archive" + on + " ends at " + last.name()
                    + ", archived at " + last.archivedAt() + ", before the recovery target " + target
                    + ": recover to an earlier time, or wait for the segment holding the target to be archived"
                    + " (select pg_switch_wal() on the server forces it)");
        }
        if ((target.kind() == RecoveryTarget.Kind.LATEST || target.kind() == RecoveryTarget.Kind.NAME) && after != null) {
            throw new BackupException(PitrErrorCode.WAL_MISSING, "WAL segment " + missing + " is missing from the archive"
                    + " and later segments exist (from " + after.getValue().name() + "): recovery to " + target + on
                    + " would stop early at the gap; recover to a time or LSN before " + missing);
        }
        List<WalSegment> following = new ArrayList<>();
        for (long m = n; onPath.containsKey(m); m++) {
            following.add(onPath.get(m));
        }
        List<WalSegment> needed = new ArrayList<>();
        for (long t = baseTli + 1; t <= targetTli; t++) {
            if (historyFiles.containsKey(t)) {
                needed.add(historyFiles.get(t));
            }
        }
        return new WalChain(required, following, needed, targetTli);
    }

    private static long fileTimeline(String name) {
        return WalNames.historyTimeline(name).orElseGet(() -> WalNames.isSegment(name.substring(0, Math.min(24, name.length())))
                ? WalNames.timeline(name) : 0L);
    }

    private static long targetTimeline(RecoveryTimeline timeline, long baseTli, Map<Long, WalSegment> historyFiles,
                                       long newestArchived) {
        if (timeline.isCurrent()) {
            return baseTli;
        }
        if (!timeline.isLatest()) {
            if (timeline.id() < baseTli) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "recovery timeline " + timeline.id()
                        + " is older than the base backup's timeline " + baseTli + ": choose timeline " + baseTli
                        + " or later, or a base backup taken on timeline " + timeline.id());
            }
            return timeline.id();
        }
        long newest = baseTli;
        while (historyFiles.containsKey(newest + 1)) {
            newest++;
        }
        if (newestArchived > newest) {
            throw new BackupException(PitrErrorCode.WAL_MISSING, "timeline history file " + historyName(newest + 1)
                    + " is not in the archive, but WAL of timeline " + newestArchived + " is: recovery to the latest"
                    + " timeline would silently stay on timeline " + newest + "; archive the history file from the"
                    + " promoted server's pg_wal, or choose RecoveryTimeline.of(" + newest + ") to stay on it");
        }
        return newest;
    }

    private static String historyName(long timeline) {
        return String.format("%08X.history", timeline);
    }

    /** The timelines from the base backup's to the target's: which timeline each segment number is read from. */
    private static final class Timelines {
        private final long[] ids;
        private final long[] beginSegments;

        private Timelines(long[] ids, long[] beginSegments) {
            this.ids = ids;
            this.beginSegments = beginSegments;
        }

        static Timelines of(long baseTli, long targetTli, Map<Long, WalSegment> historyFiles, HistoryReader reader,
                            String stopFile, long segmentSize) {
            if (targetTli == baseTli) {
                return new Timelines(new long[]{baseTli}, new long[]{Long.MIN_VALUE});
            }
            WalSegment file = historyFiles.get(targetTli);
            if (file == null) {
                throw new BackupException(PitrErrorCode.WAL_MISSING, "timeline history file " + historyName(targetTli)
                        + " is not in the archive: recovery cannot follow timeline " + targetTli + " without it; archive"
                        + " it from the promoted server's pg_wal, or recover on the base backup's timeline " + baseTli);
            }
            // lines "parentTLI <tab> switchpoint <tab> reason", oldest first; comments and blank lines skipped
            List<long[]> switches = new ArrayList<>();
            for (String line : reader.read(file).split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.split("\\s+");
                try {
                    switches.add(new long[]{Long.parseLong(f[0]), WalNames.parseLsn(f[1])});
                } catch (RuntimeException e) {
                    throw new BackupException(CoreErrorCode.CORRUPT_DATA, "timeline history file " + file.name()
                            + " has an unreadable line '" + l + "': not a PostgreSQL history file", e);
                }
            }
            int base = -1;
            for (int i = 0; i < switches.size(); i++) {
                if (switches.get(i)[0] == baseTli) {
                    base = i;
                }
            }
            if (base < 0) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "timeline " + targetTli + " does not"
                        + " descend from the base backup's timeline " + baseTli + " (" + file.name() + "): choose a base"
                        + " backup of one of its timelines, or stay on the base backup's timeline with"
                        + " timeline(RecoveryTimeline.current())");
            }
            long switchSegment = Long.divideUnsigned(switches.get(base)[1], segmentSize);
            if (switchSegment < WalNames.segmentNumber(stopFile, segmentSize)) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "timeline " + targetTli + " branched off"
                        + " the base backup's timeline " + baseTli + " at " + WalNames.formatLsn(switches.get(base)[1])
                        + ", before the base backup's end (" + stopFile + "): it cannot recover onto that timeline;"
                        + " choose a base backup taken before the switch or on timeline " + targetTli + ", or stay on the"
                        + " base backup's timeline with timeline(RecoveryTimeline.current())");
            }
            int count = switches.size() - base + 1;
            long[] ids = new long[count];
            long[] begins = new long[count];
            ids[0] = baseTli;
            begins[0] = Long.MIN_VALUE;
            for (int i = 1; i < count; i++) {
                int k = base + i;
                ids[i] = k < switches.size() ? switches.get(k)[0] : targetTli;
                begins[i] = Long.divideUnsigned(switches.get(k - 1)[1], segmentSize);
            }
            return new Timelines(ids, begins);
        }

        /** The newest timeline of the path that had begun by segment {@code segno}, as PostgreSQL picks the file. */
        long timelineOf(long segno) {
            for (int i = ids.length - 1; i > 0; i--) {
                if (segno >= beginSegments[i]) {
                    return ids[i];
                }
            }
            return ids[0];
        }
    }
}
