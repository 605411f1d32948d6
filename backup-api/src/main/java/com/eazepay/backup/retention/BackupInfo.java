package com.eazepay.backup.retention;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link RetentionPolicy#plan} needs to know about one committed backup: its id and time, its
 * tags, and the flags of the safety layer. Immutable; create with {@link #of(String, Instant)} and
 * refine with the {@code with*} methods, each of which returns a copy.
 *
 * <pre>{@code
 * BackupInfo b = BackupInfo.of("20261124T020000Z-k3f9qa", Instant.parse("2026-11-24T02:00:00Z"))
 *         .withTags("pre-deploy")
 *         .withStoredBytes(1_234_567)
 *         .withVerified(true);
 * }</pre>
 *
 * @param id          backup id (unique within one source)
 * @param time        when the backup was taken; retention buckets are computed from it
 * @param tags        tags (never null; default empty)
 * @param pinned      pinned by an operator: never removed by retention (default {@code false})
 * @param legalHold   under legal hold: never removed by retention (default {@code false})
 * @param lockedUntil object-lock retain-until date: not removed while it is after {@code now}
 *                    (default empty)
 * @param verified    passed a restore test: the newest such backup is never removed (default {@code false})
 * @param storedBytes bytes stored for this backup, for {@link RetentionPlan#bytesFreed()} (default 0)
 */
public record BackupInfo(String id, Instant time, Set<String> tags, boolean pinned, boolean legalHold,
                         Optional<Instant> lockedUntil, boolean verified, long storedBytes) {

    public BackupInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(lockedUntil, "lockedUntil");
        if (id.isBlank()) {
            throw new IllegalArgumentException("backup id must not be blank");
        }
        if (storedBytes < 0) {
            throw new IllegalArgumentException("storedBytes must be >= 0, was " + storedBytes);
        }
        tags = tags == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(tags));
    }

    /** A backup with no tags, no safety flags and 0 stored bytes. */
    public static BackupInfo of(String id, Instant time) {
        return new BackupInfo(id, time, Set.of(), false, false, Optional.empty(), false, 0);
    }

    /** A backup with these tags, no safety flags and 0 stored bytes. */
    public static BackupInfo of(String id, Instant time, Set<String> tags) {
        return of(id, time).withTags(tags);
    }

    /**
     * The retention view of a committed backup's manifest: id, start time (else completion time),
     * tags and stored bytes. Safety flags are not part of the manifest; add them with the
     * {@code with*} methods.
     */
    public static BackupInfo of(Manifest manifest) {
        Instant time = manifest.startedAt() != null ? manifest.startedAt() : manifest.completedAt();
        if (time == null) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA,
                    "manifest of backup " + manifest.id() + " has neither startedAt nor completedAt");
        }
        BackupInfo info = of(manifest.id(), time, manifest.tags()).withStoredBytes(manifest.storedBytes());
        Object lock = manifest.facts().get(Manifest.OBJECT_LOCK_UNTIL_FACT);
        return lock == null ? info : info.withLockedUntil(Instant.parse(lock.toString()));
    }

    /** A copy with exactly these tags. */
    public BackupInfo withTags(Set<String> newTags) {
        return new BackupInfo(id, time, Objects.requireNonNull(newTags, "tags"), pinned, legalHold, lockedUntil, verified, storedBytes);
    }

    /** A copy with exactly these tags. */
    public BackupInfo withTags(String... newTags) {
        return withTags(new TreeSet<>(Arrays.asList(newTags)));
    }

    /** A copy that is (or is not) pinned. */
    public BackupInfo withPinned(boolean value) {
        return new BackupInfo(id, time, tags, value, legalHold, lockedUntil, verified, storedBytes);
    }

    /** A copy that is (or is not) under legal hold. */
    public BackupInfo withLegalHold(boolean value) {
        return new BackupInfo(id, time, tags, pinned, value, lockedUntil, verified, storedBytes);
    }

    /** A copy whose objects are locked (object lock / retention) until {@code until}. */
    public BackupInfo withLockedUntil(Instant until) {
        return new BackupInfo(id, time, tags, pinned, legalHold, Optional.of(until), verified, storedBytes);
    }

    /** A copy that has (or has not) passed a restore test. */
    public BackupInfo withVerified(boolean value) {
        return new BackupInfo(id, time, tags, pinned, legalHold, lockedUntil, value, storedBytes);
    }

    /** A copy with this many stored bytes. */
    public BackupInfo withStoredBytes(long bytes) {
        return new BackupInfo(id, time, tags, pinned, legalHold, lockedUntil, verified, bytes);
    }

    /** Whether the object lock is still in force at {@code now}. */
    public boolean isLockedAt(Instant now) {
        return lockedUntil.isPresent() && lockedUntil.get().isAfter(now);
    }
}
