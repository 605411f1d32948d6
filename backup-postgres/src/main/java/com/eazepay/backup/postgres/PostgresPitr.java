package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.RestoreRequest;
import com.eazepay.backup.RestoreResult;

import java.util.Objects;

/**
 * Point-in-time restore through the engine, choosing the base backup for the target; the same as the engine's
 * ordinary restore path with {@code engine.restore(source).before(t).into(PitrTarget.dataDirectory(dir).pointInTime(t))}:
 * <pre>{@code
 * WalArchive wal = WalArchive.builder().repository(storage).source("postgres").encryption(ageWithIdentity).build();
 * RestoreResult r = PostgresPitr.restore(engine, "postgres-base",
 *         PitrTarget.dataDirectory(Path.of("/srv/pg-restored"), wal, RecoveryTarget.time(breachTime))
 *                 .check("shop", Check.sql("select count(*) from orders").atLeast(1)));
 * r.facts().get("recovery_stopped");   // "recovery stopping before commit of transaction 812, time 2026-12-02 03:59:59.1+00"
 * }</pre>
 * The base backup is the newest one consistent strictly before a time target (its {@code consistentAt} is when
 * pg_basebackup finished), else the latest; {@link #restore(BackupEngine, String, String, PitrTarget)} names one.
 */
public final class PostgresPitr {

    private PostgresPitr() {
    }

    /**
     * Restores the right base backup of {@code baseSource} into {@code target} and recovers to its target.
     *
     * @throws com.eazepay.backup.BackupException {@link PitrErrorCode#WAL_MISSING} before anything is written when
     *         the WAL chain cannot reach the target; {@link PitrErrorCode#RECOVERY_FAILED} with the server log's tail;
     *         {@code NOT_FOUND} when no base backup is old enough; {@code TARGET_NOT_EMPTY}; storage and codec codes
     */
    public static RestoreResult restore(BackupEngine engine, String baseSource, PitrTarget target) {
        target.validate(); // the base backup is chosen by the target: refuse a conflicting one first
        RestoreRequest r = engine.restore(Objects.requireNonNull(baseSource, "baseSource"));
        if (target.target().kind() == RecoveryTarget.Kind.TIME) {
            r.before(target.target().instant());
        } else {
            r.latest();
        }
        return r.into(target).checked().run();
    }

    /** Like {@link #restore(BackupEngine, String, PitrTarget)} from the base backup {@code backupId}. */
    public static RestoreResult restore(BackupEngine engine, String baseSource, String backupId, PitrTarget target) {
        return engine.restore(baseSource).id(backupId).into(target).checked().run();
    }
}
