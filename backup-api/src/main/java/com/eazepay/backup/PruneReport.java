package com.eazepay.backup;

import com.eazepay.backup.internal.ByteSizes;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.PrunedBeside;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a prune would do ({@link PruneRequest#dryRun()}) or did ({@link PruneRequest#run()}): one
 * {@link Entry} per source and storage target (the primary repository first, then replicas), each
 * with the retention plan that decided it. Immutable and thread-safe.
 */
public final class PruneReport {

    /**
     * One source on one storage target.
     *
     * @param source            the source name
     * @param target            the storage target's description (credential-free)
     * @param primary           whether the target is the primary repository (else a replica)
     * @param plan              the retention plan applied (kept and removed backups, with reasons)
     * @param backupsRemoved    ids of committed backups removed (dry run: that would be), oldest first
     * @param unfinishedRemoved ids of unfinished uploads older than the grace period removed (would be)
     * @param objectsDeleted    objects deleted (would be)
     * @param bytesFreed        bytes of the deleted objects of backups and unfinished uploads as listed by the storage
     *                          (would be); without {@code beside}
     * @param errors            per backup id, the failure that stopped its deletion (empty on a dry run)
     * @param beside            what the source removed beside its backups to follow them ({@link
     *                          BackupSource#afterPrune}: e.g. WAL files no kept base backup needs), would remove on a
     *                          dry run; {@link PrunedBeside#none()} if nothing
     */
    public record Entry(String source, String target, boolean primary, RetentionPlan plan, List<String> backupsRemoved,
                        List<String> unfinishedRemoved, long objectsDeleted, long bytesFreed,
                        Map<String, BackupException> errors, PrunedBeside beside) {
        public Entry {
            backupsRemoved = List.copyOf(backupsRemoved);
            unfinishedRemoved = List.copyOf(unfinishedRemoved);
            errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
            Objects.requireNonNull(beside, "beside");
        }

        /** An entry with nothing removed beside the backups. */
        public Entry(String source, String target, boolean primary, RetentionPlan plan, List<String> backupsRemoved,
                     List<String> unfinishedRemoved, long objectsDeleted, long bytesFreed, Map<String, BackupException> errors) {
            this(source, target, primary, plan, backupsRemoved, unfinishedRemoved, objectsDeleted, bytesFreed, errors,
                    PrunedBeside.none());
        }
    }

    private final boolean dryRun;
    private final List<Entry> entries;
    private final Optional<String> staleLeaseTakenOver;

    PruneReport(boolean dryRun, List<Entry> entries) {
        this(dryRun, entries, Optional.empty());
    }

    /** Built by the engine's prune; {@code staleLeaseTakenOver} describes a stale lease this prune took over. */
    public PruneReport(boolean dryRun, List<Entry> entries, Optional<String> staleLeaseTakenOver) {
        this.dryRun = dryRun;
        this.entries = List.copyOf(entries);
        this.staleLeaseTakenOver = staleLeaseTakenOver;
    }

    /**
     * If this prune took over a stale prune lease ({@code locks/prune.json} of a prune that was
     * killed, or expired beyond the clock-skew margin): whose and why, e.g. {@code took over the
     * stale lease of 3f2a… on host ops-1 (pid 4242), …: its process 4242 on this host (ops-1) no
     * longer exists …}.
     */
    public Optional<String> staleLeaseTakenOver() {
        return staleLeaseTakenOver;
    }

    /** Whether this is a dry run (nothing was deleted). */
    public boolean dryRun() {
        return dryRun;
    }

    /** Per source and target, primary first, in the order sources were configured. */
    public List<Entry> entries() {
        return entries;
    }

    /** The entry of {@code source} on the primary repository, if it was pruned. */
    public Optional<Entry> primary(String source) {
        return entries.stream().filter(e -> e.primary() && e.source().equals(source)).findFirst();
    }

    /** The entry of {@code source} on the target described as {@code target}, if it was pruned. */
    public Optional<Entry> entry(String source, String target) {
        return entries.stream().filter(e -> e.source().equals(source) && e.target().equals(target)).findFirst();
    }

    /** Committed backups removed (would be), over all entries. */
    public int backupsRemoved() {
        return entries.stream().mapToInt(e -> e.backupsRemoved().size()).sum();
    }

    /** Bytes freed (would be), over all entries: backups, unfinished uploads and what sources removed beside them. */
    public long bytesFreed() {
        return entries.stream().mapToLong(e -> e.bytesFreed() + e.beside().bytes()).sum();
    }

    /** Files the sources removed beside their backups (would remove), over all entries: e.g. WAL files. */
    public int besideRemoved() {
        return entries.stream().mapToInt(e -> e.beside().files().size()).sum();
    }

    /** Whether every deletion succeeded. */
    public boolean isComplete() {
        return entries.stream().allMatch(e -> e.errors().isEmpty());
    }

    /**
     * This report if it is complete.
     *
     * @throws BackupException {@code STORAGE_FAILED} naming every backup that could not be deleted,
     *                         with the first failure as cause (others suppressed); retryable if all
     *                         failures are. Running prune again finishes the job.
     */
    public PruneReport orThrow() {
        if (isComplete()) {
            return this;
        }
        List<BackupException> all = new ArrayList<>();
        StringBuilder msg = new StringBuilder("prune failed for ");
        for (Entry e : entries) {
            e.errors().forEach((id, ex) -> {
                all.add(ex);
                msg.append(e.source()).append('/').append(id).append(" on ").append(e.target())
                        .append(" (").append(ex.getMessage()).append("); ");
            });
        }
        msg.append("run prune again: backups whose manifest could not be deleted are intact, "
                + "and leftover data of the others is removed as unfinished uploads");
        boolean retryable = all.stream().allMatch(BackupException::isRetryable);
        BackupException ex = new BackupException(CoreErrorCode.STORAGE_FAILED, msg.toString(), all.get(0), retryable);
        all.stream().skip(1).forEach(ex::addSuppressed);
        throw ex;
    }

    /**
     * The report as text: per source and target a heading, the plan's table (id, time, keep/remove,
     * reasons, size) and a line with the unfinished uploads, objects and bytes deleted (or that would be).
     */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        String verb = dryRun ? "would delete" : "deleted";
        for (Entry e : entries) {
            sb.append(String.format(Locale.ROOT, "== %s on %s (%s)%s%n", e.source(), e.target(),
                    e.primary() ? "primary" : "replica", dryRun ? " [dry run]" : ""));
            sb.append(e.plan().toTable());
            sb.append(String.format(Locale.ROOT, "%s %d backups, %d unfinished uploads older than the grace period%s, "
                            + "%d objects, %s%n", verb, e.backupsRemoved().size(), e.unfinishedRemoved().size(),
                    e.unfinishedRemoved().isEmpty() ? "" : " " + e.unfinishedRemoved(), e.objectsDeleted(),
                    ByteSizes.human(e.bytesFreed())));
            if (!e.beside().isEmpty()) {
                PrunedBeside b = e.beside();
                sb.append(String.format(Locale.ROOT, "%s %d %s beside the backups that no kept backup needs (%s .. %s), "
                                + "%d objects, %s%n", verb, b.files().size(), b.kind(), b.files().isEmpty() ? "-" : b.files().get(0),
                        b.files().isEmpty() ? "-" : b.files().get(b.files().size() - 1), b.keys().size(), ByteSizes.human(b.bytes())));
            }
            if (!e.errors().isEmpty()) {
                sb.append(String.format(Locale.ROOT, "FAILED for %d: %s%n", e.errors().size(), e.errors().keySet()));
            }
            sb.append(System.lineSeparator());
        }
        int beside = besideRemoved();
        sb.append(String.format(Locale.ROOT, "total: %s %d backups%s, %s%n", verb, backupsRemoved(),
                beside == 0 ? "" : " and " + beside + " files beside them", ByteSizes.human(bytesFreed())));
        staleLeaseTakenOver.ifPresent(t -> sb.append(t).append(System.lineSeparator()));
        return sb.toString();
    }

    @Override
    public String toString() {
        return "PruneReport[" + (dryRun ? "dry run, " : "") + entries.size() + " entries, " + backupsRemoved()
                + " backups removed, " + besideRemoved() + " files beside them, " + bytesFreed() + " bytes freed]";
    }
}
