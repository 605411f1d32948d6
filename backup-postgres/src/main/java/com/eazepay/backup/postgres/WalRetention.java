package com.eazepay.backup.postgres;

import com.eazepay.backup.Manifest;
import com.eazepay.backup.postgres.internal.WalNames;

import java.util.ArrayList;
import java.util.List;

/**
 * Which archived WAL files the kept base backups no longer need: a pure function. A WAL file is needed when its
 * segment is at or after the start segment of the oldest kept base backup (on any timeline: later timelines branch
 * from later positions); timeline history files are always kept (tiny, and recovery reads them). With no kept base
 * backup nothing is removed (the archive may be all that is left). The engine's prune of a {@code postgres-base}
 * source runs {@link #prune} through {@link PostgresBaseBackupSource#afterPrune}.
 */
public final class WalRetention {

    private WalRetention() {
    }

    /** The WAL files that none of {@code keptBaseBackups} needs, oldest first. */
    public static List<WalSegment> removable(List<WalSegment> archived, List<Manifest> keptBaseBackups) {
        if (keptBaseBackups.isEmpty()) {
            return List.of();
        }
        long oldest = Long.MAX_VALUE;
        long segmentSize = WalNames.DEFAULT_SEGMENT_SIZE;
        for (Manifest m : keptBaseBackups) {
            Object start = m.facts().get("start_wal_file");
            Object size = m.facts().get("wal_segment_size");
            if (!(start instanceof String s) || !(size instanceof Number z)) {
                return List.of(); // not a base backup we understand: remove nothing
            }
            segmentSize = z.longValue();
            oldest = Math.min(oldest, WalNames.segmentNumber(s, segmentSize));
        }
        List<WalSegment> removable = new ArrayList<>();
        for (WalSegment w : archived) {
            if (WalNames.isHistory(w.name())) {
                continue;
            }
            if (WalNames.segmentNumber(w.name().substring(0, 24), segmentSize) < oldest) {
                removable.add(w);
            }
        }
        return removable;
    }

    /**
     * Deletes what {@link #removable} returns (commit record first, then data), unless {@code dryRun}.
     *
     * @return the files removed (or that would be)
     */
    public static List<WalSegment> prune(WalArchive archive, List<Manifest> keptBaseBackups, boolean dryRun) {
        List<WalSegment> removable = removable(archive.list(), keptBaseBackups);
        if (!dryRun) {
            removable.forEach(archive::delete);
        }
        return removable;
    }
}
