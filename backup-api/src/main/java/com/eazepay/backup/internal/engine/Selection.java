package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which backup a restore or verification means: the one vocabulary of {@code latest}, {@code id},
 * {@code before}, {@code tagged}, {@code set} and {@code label} that every request shares. Criteria
 * combine (the newest backup matching all of them); an {@code id} excludes every other criterion, and
 * a criterion given twice with different values is refused with {@code INVALID_CONFIGURATION} at the
 * call, instead of one silently overriding the other. Tags and labels with different keys add up.
 * Not thread-safe (owned by one request).
 */
public final class Selection {

    private final String what;
    private boolean latest;
    private String id;
    private Instant before;
    private String setId;
    private final Set<String> tags = new LinkedHashSet<>();
    private final Map<String, String> labels = new LinkedHashMap<>();

    /** {@code what} names the request in messages, e.g. {@code "restore of 'postgres'"}. */
    public Selection(String what) {
        this.what = what;
    }

    /** The newest backup (also the default). Refused after {@link #id}. */
    public void latest() {
        if (id != null) {
            throw conflict("latest()", "id(" + id + ")");
        }
        latest = true;
    }

    /** Exactly this backup. Refused with any other criterion. */
    public void id(String backupId) {
        Objects.requireNonNull(backupId, "backupId");
        if (id != null && !id.equals(backupId)) {
            throw conflict("id(" + backupId + ")", "id(" + id + ")");
        }
        if (latest || before != null || setId != null || !tags.isEmpty() || !labels.isEmpty()) {
            throw conflict("id(" + backupId + ")", describeCriteria());
        }
        id = backupId;
    }

    /** The newest backup consistent strictly before {@code instant}. */
    public void before(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        refuseAfterId("before(" + instant + ")");
        if (before != null && !before.equals(instant)) {
            throw conflict("before(" + instant + ")", "before(" + before + ")");
        }
        before = instant;
    }

    /** The newest backup carrying {@code tag} (and every other tag asked for). */
    public void tagged(String tag) {
        Objects.requireNonNull(tag, "tag");
        refuseAfterId("tagged(" + tag + ")");
        tags.add(tag);
    }

    /** The backup taken as part of backup set {@code setId} ({@code engine.backupAll()}). */
    public void set(String set) {
        Objects.requireNonNull(set, "setId");
        refuseAfterId("set(" + set + ")");
        if (setId != null && !setId.equals(set)) {
            throw conflict("set(" + set + ")", "set(" + setId + ")");
        }
        setId = set;
    }

    /** The newest backup labelled {@code key=value} (and with every other label asked for). */
    public void label(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        refuseAfterId("label(" + key + ", " + value + ")");
        String old = labels.get(key);
        if (old != null && !old.equals(value)) {
            throw conflict("label(" + key + ", " + value + ")", "label(" + key + ", " + old + ")");
        }
        labels.put(key, value);
    }

    /** The chosen id, if {@link #id} was called. */
    public Optional<String> byId() {
        return Optional.ofNullable(id);
    }

    /** The set asked for, if any. */
    public Optional<String> setId() {
        return Optional.ofNullable(setId);
    }

    /** Whether a manifest meets every criterion but the id. */
    public boolean matches(Manifest m) {
        if (!m.tags().containsAll(tags)) {
            return false;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!e.getValue().equals(m.labels().get(e.getKey()))) {
                return false;
            }
        }
        if (setId != null && !setId.equals(m.setId())) {
            return false;
        }
        Instant t = m.consistentAt() != null ? m.consistentAt() : m.startedAt();
        return before == null || (t != null && t.isBefore(before));
    }

    /** The criteria in the words of the request, e.g. {@code before(..) tagged(pre-deploy)}, or {@code latest()}. */
    public String describeCriteria() {
        StringBuilder sb = new StringBuilder();
        if (id != null) {
            sb.append("id(").append(id).append(") ");
        }
        if (before != null) {
            sb.append("before(").append(before).append(") ");
        }
        tags.forEach(t -> sb.append("tagged(").append(t).append(") "));
        labels.forEach((k, v) -> sb.append("label(").append(k).append(", ").append(v).append(") "));
        if (setId != null) {
            sb.append("set(").append(setId).append(") ");
        }
        return sb.length() == 0 ? "latest()" : sb.toString().trim();
    }

    private void refuseAfterId(String call) {
        if (id != null) {
            throw conflict(call, "id(" + id + ")");
        }
    }

    private BackupException conflict(String call, String earlier) {
        return new BackupException(CoreErrorCode.INVALID_CONFIGURATION, what + ": " + call + " conflicts with " + earlier
                + " given earlier; choose one backup: id(..) alone, or latest() narrowed by before/tagged/label/set");
    }
}
