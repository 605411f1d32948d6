package com.eazepay.backup.postgres.internal;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * PostgreSQL WAL file names: segments {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, log, segment, upper-case hex),
 * their {@code .partial} variants, timeline history files {@code TTTTTTTT.history} and backup history files
 * {@code <segment>.XXXXXXXX.backup}. Segment arithmetic needs the server's segment size (16 MiB by default).
 */
public final class WalNames {

    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");
    private static final Pattern PARTIAL = Pattern.compile("[0-9A-F]{24}\\.partial");
    private static final Pattern HISTORY = Pattern.compile("[0-9A-F]{8}\\.history");
    private static final Pattern BACKUP_HISTORY = Pattern.compile("[0-9A-F]{24}\\.[0-9A-F]{8}\\.backup");

    /** The default {@code wal_segment_size}. */
    public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;

    private WalNames() {
    }

    /** Whether {@code name} is any file PostgreSQL archives. */
    public static boolean isArchivable(String name) {
        return isSegment(name) || PARTIAL.matcher(name).matches() || HISTORY.matcher(name).matches()
                || BACKUP_HISTORY.matcher(name).matches();
    }

    /** A complete WAL segment name. */
    public static boolean isSegment(String name) {
        return SEGMENT.matcher(name).matches();
    }

    /** A partial segment (pg_receivewal's current file, or the last segment of an old timeline at promotion). */
    public static boolean isPartial(String name) {
        return PARTIAL.matcher(name).matches();
    }

    /** A timeline history file. */
    public static boolean isHistory(String name) {
        return HISTORY.matcher(name).matches();
    }

    /** Timeline of a segment or partial segment name. */
    public static long timeline(String segment) {
        return Long.parseLong(segment.substring(0, 8), 16);
    }

    /** Parses {@code X/Y} (hex) into a 64-bit LSN. */
    public static long parseLsn(String lsn) {
        int slash = lsn.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("not an LSN: " + lsn);
        }
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }

    /** Formats a 64-bit LSN as {@code X/Y}. */
    public static String formatLsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** The segment file holding {@code lsn} on {@code timeline}. */
    public static String segmentOf(long timeline, long lsn, long segmentSize) {
        long segno = Long.divideUnsigned(lsn, segmentSize);
        return name(timeline, segno, segmentSize);
    }

    /** The segment number of {@code segment} (its position in the WAL, independent of the timeline). */
    public static long segmentNumber(String segment, long segmentSize) {
        long log = Long.parseLong(segment.substring(8, 16), 16);
        long seg = Long.parseLong(segment.substring(16, 24), 16);
        return log * segmentsPerLog(segmentSize) + seg;
    }

    /** The name of segment number {@code segno} on {@code timeline}. */
    public static String name(long timeline, long segno, long segmentSize) {
        long perLog = segmentsPerLog(segmentSize);
        return String.format("%08X%08X%08X", timeline, segno / perLog, segno % perLog);
    }

    /** The segment after {@code segment} on the same timeline. */
    public static String next(String segment, long segmentSize) {
        return name(timeline(segment), segmentNumber(segment, segmentSize) + 1, segmentSize);
    }

    /** The timeline in a history file name, if it is one. */
    public static Optional<Long> historyTimeline(String name) {
        return isHistory(name) ? Optional.of(Long.parseLong(name.substring(0, 8), 16)) : Optional.empty();
    }

    private static long segmentsPerLog(long segmentSize) {
        if (segmentSize <= 0 || Long.bitCount(segmentSize) != 1) {
            throw new IllegalArgumentException("WAL segment size must be a power of two: " + segmentSize);
        }
        return 0x100000000L / segmentSize;
    }
}
