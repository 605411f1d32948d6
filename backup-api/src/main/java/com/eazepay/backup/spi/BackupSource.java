package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.Manifest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Knows one data store: writes its data as one or more named streams, and reads them back.
 *
 * <p>Implementations are immutable and thread-safe; the engine never runs two backups of the same
 * source at once. Errors are reported as {@link BackupException}: {@code SOURCE_UNAVAILABLE}
 * (retryable) when the store cannot be reached, {@code SOURCE_FAILED} when it or its tool failed,
 * {@code INVALID_CONFIGURATION} for a restore target of the wrong type.
 */
public interface BackupSource {

    /** Unique name of this source within an engine, used in storage keys; valid per {@link SourceNames} (1-63 characters, not a reserved folder). */
    String name();

    /** Kind of data store, persisted in manifests: {@code postgres}, {@code mongo}, {@code redis}, {@code files}, {@code command}. */
    String type();

    /**
     * Whether backups hold secrets or personal data (database dumps, env files, private keys,
     * Kubernetes Secrets). The engine refuses to store a sensitive source unencrypted unless the
     * user opted out explicitly. Default {@code false}.
     */
    default boolean sensitive() {
        return false;
    }

    /**
     * Takes one backup: opens streams with {@link BackupContext#newStream}, writes them fully,
     * closes each, and records facts. Returning normally means every stream is complete; throwing
     * fails the backup and nothing is committed.
     */
    void backup(BackupContext context);

    /**
     * Restores a backup taken by this source into {@code target}.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if {@code target} is not a type this
     *                         source restores into; {@code TARGET_NOT_EMPTY} if the target holds
     *                         data it must not overwrite; {@code CHECKSUM_MISMATCH} if stored bytes
     *                         fail verification (nothing is committed to the target then)
     */
    RestoreOutcome restore(RestoreContext context, RestoreTarget target);

    /**
     * This source type's format validator, run by integrity verification on every decoded stream
     * without restoring (see {@link StreamValidator}). Default: none (integrity stops at size, SHA-256,
     * decryption and decompression).
     */
    default Optional<StreamValidator> validator() {
        return Optional.empty();
    }

    /**
     * Names (never values) of the secrets this source's configuration holds, for the breach runbook: what
     * an operator must rotate when the host running the engine was compromised, e.g.
     * {@code "password of role app on db.internal:5432"}. Default: none.
     */
    default List<String> secretNames() {
        return List.of();
    }

    /**
     * A throw-away target for a restore test of this source ({@code engine.verify(name).restoreTest()}), named
     * after {@code testId} (lower case letters, digits and underscores). Default: none (restore tests of this
     * source are refused with {@code INVALID_CONFIGURATION}).
     */
    default Optional<ScratchTarget> scratchTarget(String testId) {
        return Optional.empty();
    }

    /**
     * Drops the scratch target whose {@link ScratchTarget#resource()} is {@code resource}, found in the cleanup
     * journal of a restore test that did not finish (the JVM was killed). Idempotent. Default: nothing.
     */
    default void dropScratch(String resource) {
    }

    /**
     * The newest point in time that continuous archiving beside this source's backups (a PostgreSQL WAL archive under
     * {@code wal/{source}/}) makes recoverable from {@code repository}, or empty if the source has no continuous
     * archiving or nothing is archived yet. With a value, the objectives check reports the achievable recovery point
     * as the archive lag ({@code now - recoverableUntil}) instead of the backup schedule's interval. Should cost at most
     * a listing and a few small reads. Default: empty (the schedule alone decides).
     *
     * @throws BackupException storage codes when the archive cannot be read
     */
    default Optional<Instant> recoverableUntil(StorageTarget repository) {
        return Optional.empty();
    }

    /**
     * Called by the engine's prune after it removed this source's backups from {@code repository} (and on a dry
     * run, with nothing removed), so a source that keeps data beside its backups can trim it to what the kept
     * backups still need (e.g. a PostgreSQL WAL archive under {@code wal/{source}/}). {@code kept} holds every
     * backup still in {@code repository}, including those whose removal failed. Must never remove what a kept backup
     * needs; with {@code dryRun} it must remove nothing. Default: nothing to do.
     *
     * @return what was removed (or, on a dry run, would be), for the prune report: {@link PrunedBeside#none()} if nothing
     * @throws BackupException storage codes; the backups' prune is done by then
     */
    default PrunedBeside afterPrune(StorageTarget repository, List<Manifest> kept, boolean dryRun) {
        return PrunedBeside.none();
    }
}
