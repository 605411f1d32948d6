package com.eazepay.backup;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Selects backups from the catalog by tags, labels and time. Immutable; every method returns a new filter.
 *
 * <pre>{@code
 * engine.list("postgres", BackupFilter.all().tagged("pre-deploy").after(Instant.parse("2026-11-01T00:00:00Z")));
 * }</pre>
 */
public final class BackupFilter implements Predicate<Manifest> {

    private static final BackupFilter ALL = new BackupFilter(Set.of(), Map.of(), null, null, null);

    private final Set<String> tags;
    private final Map<String, String> labels;
    private final Instant after;
    private final Instant before;
    private final String setId;

    private BackupFilter(Set<String> tags, Map<String, String> labels, Instant after, Instant before, String setId) {
        this.tags = tags;
        this.labels = labels;
        this.after = after;
        this.before = before;
        this.setId = setId;
    }

    /** Matches every backup. */
    public static BackupFilter all() {
        return ALL;
    }

    /** Also requires {@code tag}. */
    public BackupFilter tagged(String tag) {
        Set<String> t = new HashSet<>(tags);
        t.add(Objects.requireNonNull(tag, "tag"));
        return new BackupFilter(Set.copyOf(t), labels, after, before, setId);
    }

    /** Also requires label {@code key} = {@code value}. */
    public BackupFilter label(String key, String value) {
        Map<String, String> l = new HashMap<>(labels);
        l.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new BackupFilter(tags, Map.copyOf(l), after, before, setId);
    }

    /** Only backups whose data is consistent at or after {@code instant}. */
    public BackupFilter after(Instant instant) {
        return new BackupFilter(tags, labels, Objects.requireNonNull(instant, "instant"), before, setId);
    }

    /** Only backups whose data is consistent strictly before {@code instant} (a pre-breach restore). */
    public BackupFilter before(Instant instant) {
        return new BackupFilter(tags, labels, after, Objects.requireNonNull(instant, "instant"), setId);
    }

    /** Only backups taken in backup set {@code setId} ({@link BackupSetResult#setId()}). */
    public BackupFilter inSet(String setId) {
        return new BackupFilter(tags, labels, after, before, Objects.requireNonNull(setId, "setId"));
    }

    @Override
    public boolean test(Manifest m) {
        if (!m.tags().containsAll(tags) || (setId != null && !setId.equals(m.setId()))) {
            return false;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!e.getValue().equals(m.labels().get(e.getKey()))) {
                return false;
            }
        }
        Instant t = m.consistentAt() != null ? m.consistentAt() : m.startedAt();
        if (after != null && (t == null || t.isBefore(after))) {
            return false;
        }
        return before == null || (t != null && t.isBefore(before));
    }

    @Override
    public String toString() {
        return "BackupFilter[tags=" + tags + ", labels=" + labels + ", after=" + after + ", before=" + before + (setId == null ? "" : ", set=" + setId) + "]";
    }
}
