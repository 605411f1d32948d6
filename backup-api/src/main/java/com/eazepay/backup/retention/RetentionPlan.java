package com.eazepay.backup.retention;

import com.eazepay.backup.internal.ByteSizes;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The result of {@link RetentionPolicy#plan}: which backups to keep and which to remove, with the
 * reasons each kept backup is kept. Immutable and thread-safe. Nothing is deleted by a plan: the
 * prune executor deletes {@link #removed()}.
 */
public final class RetentionPlan {

    private final String policy;
    private final Instant now;
    private final List<BackupInfo> kept;
    private final List<BackupInfo> removed;
    private final Map<String, List<String>> reasons;

    RetentionPlan(String policy, Instant now, List<BackupInfo> kept, List<BackupInfo> removed,
                  Map<String, List<String>> reasons) {
        this.policy = policy;
        this.now = now;
        this.kept = List.copyOf(kept);
        this.removed = List.copyOf(removed);
        this.reasons = Collections.unmodifiableMap(reasons);
    }

    /** The policy this plan applied, in words. */
    public String policy() {
        return policy;
    }

    /** The {@code now} the plan was made at. */
    public Instant now() {
        return now;
    }

    /** The backups to keep, newest first. */
    public List<BackupInfo> kept() {
        return kept;
    }

    /** The backups to remove, newest first. */
    public List<BackupInfo> removed() {
        return removed;
    }

    /** Whether the backup with this id is kept. */
    public boolean isKept(String id) {
        return reasons.containsKey(id);
    }

    /**
     * Why the backup with this id is kept, e.g. {@code [daily 2026-11-23, weekly 2026-W48, newest backup]};
     * an empty list for a removed backup.
     *
     * @throws BackupException {@code NOT_FOUND} (not retryable) if the plan has no backup with this id
     */
    public List<String> reasons(String id) {
        List<String> why = reasons.get(id);
        if (why != null) {
            return why;
        }
        if (removed.stream().anyMatch(b -> b.id().equals(id))) {
            return List.of();
        }
        throw new BackupException(CoreErrorCode.NOT_FOUND, "backup " + id + " is not part of this retention plan");
    }

    /** Sum of {@link BackupInfo#storedBytes()} over the removed backups. */
    public long bytesFreed() {
        return removed.stream().mapToLong(BackupInfo::storedBytes).sum();
    }

    /**
     * The plan as a fixed-width table for dry runs: one line per backup, newest first, with id,
     * time, {@code keep}/{@code remove}, reasons and stored size, then a summary line.
     */
    public String toTable() {
        List<BackupInfo> all = new ArrayList<>(kept.size() + removed.size());
        all.addAll(kept);
        all.addAll(removed);
        all.sort((a, b) -> {
            int c = b.time().compareTo(a.time());
            return c != 0 ? c : b.id().compareTo(a.id());
        });
        int idWidth = "ID".length();
        int reasonWidth = "REASONS".length();
        List<String> reasonTexts = new ArrayList<>(all.size());
        for (BackupInfo b : all) {
            idWidth = Math.max(idWidth, b.id().length());
            String r = Optional.ofNullable(reasons.get(b.id())).map(l -> String.join(", ", l)).orElse("-");
            reasonTexts.add(r);
            reasonWidth = Math.max(reasonWidth, r.length());
        }
        String format = "%-" + idWidth + "s  %-20s  %-6s  %-" + reasonWidth + "s  %10s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, format, "ID", "TIME", "ACTION", "REASONS", "SIZE"));
        for (int i = 0; i < all.size(); i++) {
            BackupInfo b = all.get(i);
            sb.append(String.format(Locale.ROOT, format, b.id(), b.time(), isKept(b.id()) ? "keep" : "remove",
                    reasonTexts.get(i), ByteSizes.human(b.storedBytes())));
        }
        sb.append(String.format(Locale.ROOT, "%d kept, %d removed, %s freed; %s%n",
                kept.size(), removed.size(), ByteSizes.human(bytesFreed()), policy));
        return sb.toString();
    }

    @Override
    public String toString() {
        return "RetentionPlan[" + kept.size() + " kept, " + removed.size() + " removed, " + bytesFreed()
                + " bytes freed, " + policy + "]";
    }
}
