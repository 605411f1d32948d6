package com.eazepay.backup;

import java.time.Duration;
import java.time.Instant;

/**
 * What happened in an engine, delivered to {@link BackupListener}s. Events carry ids, sizes,
 * durations and error codes: never credentials or data.
 */
public sealed interface BackupEvent {

    /** The source the event is about. */
    String source();

    /** When it happened (engine clock). */
    Instant at();

    /** A backup started. */
    record BackupStarted(String source, String sourceType, String backupId, String trigger, Instant at) implements BackupEvent {
    }

    /** A backup was committed (its manifest written). */
    record BackupSucceeded(String source, String sourceType, String backupId, Duration duration, long storedBytes,
                           long plaintextBytes, Instant at) implements BackupEvent {
    }

    /** A backup failed; nothing was committed. */
    record BackupFailed(String source, String sourceType, String backupId, Duration duration, ErrorCode errorCode,
                        String message, Instant at) implements BackupEvent {
    }

    /** A committed backup could not be copied to a replica. */
    record ReplicaFailed(String source, String backupId, String replica, ErrorCode errorCode, String message,
                         Instant at) implements BackupEvent {
    }

    /** A restore finished; {@code checksPassed} is false if a post-restore check failed. */
    record RestoreSucceeded(String source, String backupId, String target, Duration duration, boolean checksPassed,
                            Instant at) implements BackupEvent {
    }

    /** A restore failed. */
    record RestoreFailed(String source, String backupId, String target, Duration duration, ErrorCode errorCode,
                         String message, Instant at) implements BackupEvent {
    }

    /** A backup was verified (integrity read), successfully or not. */
    record BackupVerified(String source, String backupId, boolean passed, String detail, Instant at) implements BackupEvent {
    }

    /**
     * A prune of one source on one storage target finished (possibly with per-backup failures).
     *
     * @param target     the storage target's description
     * @param removed    committed backups removed
     * @param bytesFreed bytes of the deleted objects (backups, stale unfinished uploads, and what the source removed
     *                   beside its backups, e.g. WAL files: {@link PruneReport.Entry#beside()})
     */
    record Pruned(String source, String target, int removed, long bytesFreed, Instant at) implements BackupEvent {
    }

    /**
     * A certificate backed up by a files source expires within the source's warning window (or has
     * expired already). Raised once per certificate per backup; the backup itself succeeds.
     *
     * @param file     the certificate's path inside the backup (e.g. {@code tls/server.pem})
     * @param subject  the certificate's subject DN
     * @param serial   the serial number in hex
     * @param notAfter when it expires
     */
    record CertificateExpiring(String source, String file, String subject, String serial, Instant notAfter,
                               Instant at) implements BackupEvent {
    }

    /**
     * A source's schedule cannot meet its recovery point objective ({@link Objectives}): raised when
     * the engine is built. Not an error: the engine runs as configured.
     *
     * @param rpo         the configured recovery point objective
     * @param scheduleRpo the recovery point the schedule implies ({@link Schedule#impliedRpo()}), null if unscheduled
     * @param advice      what would meet it (a more frequent schedule, WAL archiving, oplog capture)
     */
    record ObjectiveBreached(String source, Duration rpo, Duration scheduleRpo, String advice, Instant at) implements BackupEvent {
    }
}
