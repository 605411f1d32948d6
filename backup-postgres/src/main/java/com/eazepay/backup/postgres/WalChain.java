package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.postgres.internal.WalNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which archived WAL segments a recovery needs, checked from the archive's commit records alone (no data is read):
 * every segment of the base backup's timeline from its start segment through its stop segment, then on to the
 * target. For a {@link RecoveryTarget.Kind#TIME} target the chain must reach the first segment committed to the
 * archive at or after the target time (a segment archived after {@code t} holds WAL written up to at least the
 * position the server was at at {@code t}); for an LSN, the segment holding it; for latest and restore points, the
 * end of the contiguous chain (a later segment after a gap fails: "latest" would silently stop early).
 *
 * <p>Timeline switches after the base backup are not followed: recovery stays on the base backup's timeline.
 */
public final class WalChain {

    private final List<WalSegment> required;
    private final List<WalSegment> following;

    private WalChain(List<WalSegment> required, List<WalSegment> following) {
        this.required = List.copyOf(required);
        this.following = List.copyOf(following);
    }

    /** Segments recovery cannot do without, in order. */
    public List<WalSegment> required() {
        return required;
    }

    /** Contiguous segments after the required ones (recovery may read on until it sees a commit after the target). */
    public List<WalSegment> following() {
        return following;
    }

    /**
     * Plans the chain.
     *
     * @throws BackupException {@link PitrErrorCode#WAL_MISSING} naming the first missing segment, or saying the
     *                         archive ends before the target (and when its last segment was archived)
     */
    public static WalChain plan(List<WalSegment> archived, String startFile, String stopFile, long segmentSize,
                                RecoveryTarget target) {
        long tli = WalNames.timeline(startFile);
        TreeMap<Long, WalSegment> onTimeline = new TreeMap<>();
        for (WalSegment s : archived) {
            if (WalNames.isSegment(s.name()) && WalNames.timeline(s.name()) == tli) {
                onTimeline.put(WalNames.segmentNumber(s.name(), segmentSize), s);
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
            WalSegment s = onTimeline.get(n);
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
        String missing = WalNames.name(tli, n, segmentSize);
        Map.Entry<Long, WalSegment> after = onTimeline.ceilingEntry(n);
        if (n <= needThrough || (!timeReached && after != null)) {
            throw new BackupException(PitrErrorCode.WAL_MISSING, "WAL segment " + missing + " is not in the archive,"
                    + " but the base backup (WAL " + startFile + " to " + stopFile + ") needs it to reach " + target
                    + (after != null ? " (the archive resumes at " + after.getValue().name() + ": a gap)" : "")
                    + ": the WAL chain is broken; choose another base backup or target, or archive the segment if the"
                    + " server still has it");
        }
        if (!timeReached) {
            WalSegment last = required.get(required.size() - 1);
            throw new BackupException(PitrErrorCode.WAL_MISSING, "the WAL archive of the base backup's timeline ends at "
                    + last.name() + ", archived at " + last.archivedAt() + ", before the recovery target " + target
                    + ": recover to an earlier time, or wait for the segment holding the target to be archived"
                    + " (select pg_switch_wal() on the server forces it)");
        }
        if ((target.kind() == RecoveryTarget.Kind.LATEST || target.kind() == RecoveryTarget.Kind.NAME) && after != null) {
            throw new BackupException(PitrErrorCode.WAL_MISSING, "WAL segment " + missing + " is missing from the archive"
                    + " and later segments exist (from " + after.getValue().name() + "): recovery to " + target
                    + " would stop early at the gap; recover to a time or LSN before " + missing);
        }
        List<WalSegment> following = new ArrayList<>();
        for (long m = n; onTimeline.containsKey(m); m++) {
            following.add(onTimeline.get(m));
        }
        return new WalChain(required, following);
    }
}
