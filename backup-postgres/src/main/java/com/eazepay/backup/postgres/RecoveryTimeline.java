package com.eazepay.backup.postgres;

/**
 * Which timeline point-in-time recovery follows ({@code recovery_target_timeline}): the newest one whose history
 * file is archived ({@link #latest()}, PostgreSQL's default since 12), the base backup's own ({@link #current()}), or
 * a given one ({@link #of(long)}). A timeline after the base backup's is reached through its history file
 * ({@code 00000002.history}), which must be in the WAL archive. Immutable.
 */
public final class RecoveryTimeline {

    private static final RecoveryTimeline LATEST = new RecoveryTimeline(-1);
    private static final RecoveryTimeline CURRENT = new RecoveryTimeline(0);

    private final long id;

    private RecoveryTimeline(long id) {
        this.id = id;
    }

    /** The newest timeline whose history file is archived, as PostgreSQL's {@code 'latest'} finds it. */
    public static RecoveryTimeline latest() {
        return LATEST;
    }

    /** The base backup's timeline: timeline switches after it are not followed. */
    public static RecoveryTimeline current() {
        return CURRENT;
    }

    /**
     * Timeline {@code timeline} (1 to 0xFFFFFFFF): the base backup's or a descendant of it.
     *
     * @throws IllegalArgumentException outside that range
     */
    public static RecoveryTimeline of(long timeline) {
        if (timeline < 1 || timeline > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("timeline must be 1..4294967295, was " + timeline);
        }
        return new RecoveryTimeline(timeline);
    }

    /** Whether this is {@link #latest()}. */
    public boolean isLatest() {
        return id == -1;
    }

    /** Whether this is {@link #current()}. */
    public boolean isCurrent() {
        return id == 0;
    }

    /** The timeline given to {@link #of(long)}; 0 for latest and current. */
    public long id() {
        return Math.max(id, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecoveryTimeline t && t.id == id;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return id == -1 ? "latest timeline" : id == 0 ? "the base backup's timeline" : "timeline " + id;
    }
}
