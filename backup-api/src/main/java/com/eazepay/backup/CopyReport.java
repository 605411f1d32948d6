package com.eazepay.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an off-site {@link CopyRequest copy} did, per backup: copied, already there (verified) or
 * failed. The same record is stored as JSON under {@code reports/copy/} in the source repository
 * ({@link #reportKey()}). Immutable; thread-safe.
 */
public final class CopyReport {

    /** The outcome for one backup. */
    public enum Status {
        /** At least one object was copied (and verified), then the manifest. */
        COPIED,
        /** Every object and the manifest were already on the target, and their SHA-256 matched. */
        SKIPPED,
        /** The backup could not be copied; its manifest was not written to the target. */
        FAILED
    }

    /**
     * One backup.
     *
     * @param source         source name
     * @param backupId       backup id
     * @param status         outcome
     * @param objectsCopied  data objects copied (not counting those already there)
     * @param bytesCopied    stored bytes copied
     * @param detail         for a failure: what failed and the error code; otherwise empty
     */
    public record Entry(String source, String backupId, Status status, int objectsCopied, long bytesCopied, String detail) {
        public Entry {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(backupId, "backupId");
            Objects.requireNonNull(status, "status");
            detail = detail == null ? "" : detail;
        }
    }

    private final String target;
    private final String selection;
    private final Instant startedAt;
    private final Instant completedAt;
    private final List<Entry> entries;
    private final String reportKey;

    /** Built by the engine. */
    public CopyReport(String target, String selection, Instant startedAt, Instant completedAt, List<Entry> entries,
                      String reportKey) {
        this.target = Objects.requireNonNull(target, "target");
        this.selection = Objects.requireNonNull(selection, "selection");
        this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
        this.completedAt = Objects.requireNonNull(completedAt, "completedAt");
        this.entries = List.copyOf(entries);
        this.reportKey = reportKey;
    }

    /** The target's description (credential-free). */
    public String target() {
        return target;
    }

    /** The selection, as text. */
    public String selection() {
        return selection;
    }

    /** When the copy started. */
    public Instant startedAt() {
        return startedAt;
    }

    /** When the copy ended. */
    public Instant completedAt() {
        return completedAt;
    }

    /** Every selected backup, in copy order. */
    public List<Entry> entries() {
        return entries;
    }

    /** Entries with {@code status}. */
    public List<Entry> with(Status status) {
        return entries.stream().filter(e -> e.status() == status).toList();
    }

    /** Stored bytes copied in total. */
    public long bytesCopied() {
        return entries.stream().mapToLong(Entry::bytesCopied).sum();
    }

    /** Whether every selected backup is now on the target. */
    public boolean isComplete() {
        return with(Status.FAILED).isEmpty();
    }

    /**
     * The key of this record in the source repository ({@code reports/copy/{time}.json}); empty if
     * writing it failed (logged at WARN).
     */
    public Optional<String> reportKey() {
        return Optional.ofNullable(reportKey);
    }

    /**
     * This report if complete.
     *
     * @throws BackupException {@code COPY_FAILED}-like {@code STORAGE_FAILED} naming each failed backup; running the copy
     *                         again resumes (what is already there and verified is skipped)
     */
    public CopyReport orThrow() {
        if (isComplete()) {
            return this;
        }
        List<String> failed = new ArrayList<>();
        for (Entry e : with(Status.FAILED)) {
            failed.add(e.source() + "/" + e.backupId() + " (" + e.detail() + ")");
        }
        throw new BackupException(CoreErrorCode.STORAGE_FAILED, "copy to " + target + " failed for " + failed.size()
                + " backup(s): " + String.join("; ", failed) + "; run the copy again to resume: what is already there and "
                + "verified is skipped");
    }

    /** One line per backup: source, id, status, objects, bytes, detail. */
    public String toTable() {
        StringBuilder b = new StringBuilder(String.format("%-16s %-32s %-8s %8s %14s  %s%n", "SOURCE", "BACKUP", "STATUS",
                "OBJECTS", "BYTES", "DETAIL"));
        for (Entry e : entries) {
            b.append(String.format("%-16s %-32s %-8s %8d %14d  %s%n", e.source(), e.backupId(), e.status(), e.objectsCopied(),
                    e.bytesCopied(), e.detail()));
        }
        b.append(String.format("%d copied, %d already there, %d failed, %d bytes copied to %s%n", with(Status.COPIED).size(),
                with(Status.SKIPPED).size(), with(Status.FAILED).size(), bytesCopied(), target));
        return b.toString();
    }

    @Override
    public String toString() {
        return "CopyReport[" + target + ", " + entries.size() + " backups, complete=" + isComplete() + "]";
    }
}
