package com.eazepay.backup.postgres;

import com.eazepay.backup.postgres.internal.WalNames;

import java.time.Instant;
import java.util.Objects;

/**
 * Where point-in-time recovery stops: a time, an LSN, a named restore point ({@code pg_create_restore_point}), the
 * end of the archive ({@link #latest()}), or the end of the base backup ({@link #immediate()}). Immutable.
 */
public final class RecoveryTarget {

    /** The kind of target. */
    public enum Kind { TIME, LSN, NAME, LATEST, IMMEDIATE }

    private final Kind kind;
    private final Instant time;
    private final String value;

    private RecoveryTarget(Kind kind, Instant time, String value) {
        this.kind = kind;
        this.time = time;
        this.value = value;
    }

    /** Stop before the first transaction that committed at or after {@code instant}: every earlier commit is kept. */
    public static RecoveryTarget time(Instant instant) {
        return new RecoveryTarget(Kind.TIME, Objects.requireNonNull(instant, "instant"), null);
    }

    /** Stop after the WAL record at {@code lsn} ({@code X/Y}, as {@code pg_current_wal_lsn()} prints it). */
    public static RecoveryTarget lsn(String lsn) {
        WalNames.parseLsn(Objects.requireNonNull(lsn, "lsn"));
        return new RecoveryTarget(Kind.LSN, null, lsn);
    }

    /** Stop at the restore point created with {@code pg_create_restore_point(name)}. */
    public static RecoveryTarget restorePoint(String name) {
        if (Objects.requireNonNull(name, "name").isBlank()) {
            throw new IllegalArgumentException("restore point name must not be blank");
        }
        return new RecoveryTarget(Kind.NAME, null, name);
    }

    /** Replay every archived WAL file of the base backup's timeline. */
    public static RecoveryTarget latest() {
        return new RecoveryTarget(Kind.LATEST, null, null);
    }

    /** Stop as soon as the base backup is consistent (its end). */
    public static RecoveryTarget immediate() {
        return new RecoveryTarget(Kind.IMMEDIATE, null, null);
    }

    /** The kind. */
    public Kind kind() {
        return kind;
    }

    /** The time of a {@link Kind#TIME} target, else null. */
    public Instant instant() {
        return time;
    }

    /** The LSN or restore point name, else null. */
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case TIME -> "time " + time;
            case LSN -> "lsn " + value;
            case NAME -> "restore point '" + value + "'";
            case LATEST -> "latest";
            case IMMEDIATE -> "end of the base backup";
        };
    }
}
