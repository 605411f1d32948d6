package com.eazepay.backup.internal.retention;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a prune did (or, for a dry run, would do) for one source. Immutable.
 *
 * @param source            the source name
 * @param dryRun            {@code true} if nothing was deleted and the counts are what a run would delete
 * @param backupsRemoved    ids of removed committed backups, oldest first (their manifest is gone)
 * @param unfinishedRemoved ids of unfinished uploads (no manifest, older than the grace period) removed
 * @param objectsDeleted    objects deleted
 * @param bytesFreed        sum of the sizes of the deleted objects, as listed by the storage
 * @param errors            per backup (or unfinished upload) id, the failure that stopped or
 *                          interrupted its deletion; empty when everything was deleted
 * @param temporaryFilesRemoved hidden temporary files of killed uploads removed (would be), relative
 *                              to the repository root; only a {@code FileSystemStorage} has them
 * @param held              per backup (or unfinished upload) id the storage's deletion guard refused, why
 *                          (which object is under which hold or retention): left whole, not an error
 */
public record PruneResult(String source, boolean dryRun, List<String> backupsRemoved, List<String> unfinishedRemoved,
                          long objectsDeleted, long bytesFreed, Map<String, BackupException> errors,
                          List<String> temporaryFilesRemoved, Map<String, String> held) {

    public PruneResult {
        held = Collections.unmodifiableMap(new LinkedHashMap<>(held));
        backupsRemoved = List.copyOf(backupsRemoved);
        unfinishedRemoved = List.copyOf(unfinishedRemoved);
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
        temporaryFilesRemoved = List.copyOf(temporaryFilesRemoved);
    }

    /** A result without held backups. */
    public PruneResult(String source, boolean dryRun, List<String> backupsRemoved, List<String> unfinishedRemoved,
                       long objectsDeleted, long bytesFreed, Map<String, BackupException> errors,
                       List<String> temporaryFilesRemoved) {
        this(source, dryRun, backupsRemoved, unfinishedRemoved, objectsDeleted, bytesFreed, errors, temporaryFilesRemoved,
                Map.of());
    }

    /** A result without temporary files. */
    public PruneResult(String source, boolean dryRun, List<String> backupsRemoved, List<String> unfinishedRemoved,
                       long objectsDeleted, long bytesFreed, Map<String, BackupException> errors) {
        this(source, dryRun, backupsRemoved, unfinishedRemoved, objectsDeleted, bytesFreed, errors, List.of());
    }

    /** Whether every deletion succeeded (held backups are not failures). */
    public boolean isComplete() {
        return errors.isEmpty();
    }

    /**
     * This result if it is complete.
     *
     * @throws BackupException {@code STORAGE_FAILED} naming every backup that failed, with the first
     *                         failure as cause (others suppressed); retryable if all failures are
     */
    public PruneResult orThrow() {
        if (errors.isEmpty()) {
            return this;
        }
        boolean retryable = errors.values().stream().allMatch(BackupException::isRetryable);
        BackupException first = errors.values().iterator().next();
        StringBuilder msg = new StringBuilder("prune of ").append(source).append(" failed for ")
                .append(errors.size()).append(" backup(s): ");
        errors.forEach((id, e) -> msg.append(id).append(" (").append(e.getMessage()).append("); "));
        msg.append("run prune again: backups whose manifest could not be deleted are intact, "
                + "and leftover data of the others is removed as unfinished uploads");
        BackupException ex = new BackupException(CoreErrorCode.STORAGE_FAILED, msg.toString(), first, retryable);
        errors.values().stream().skip(1).forEach(ex::addSuppressed);
        throw ex;
    }
}
