package com.eazepay.backup;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which committed backups of a source an off-site {@link CopyRequest copy} takes: {@link #all()},
 * {@link #latest()} or {@link #monthlyLatest()} (the newest backup of each calendar month, UTC: the
 * plan's quarterly tertiary copy keeps one per month), optionally only those started at or after
 * {@link #since(Instant)}. Immutable value; thread-safe.
 */
public final class CopySelection {

    private enum Mode { ALL, LATEST, MONTHLY_LATEST }

    private final Mode mode;
    private final Instant since;

    private CopySelection(Mode mode, Instant since) {
        this.mode = mode;
        this.since = since;
    }

    /** Every committed backup (the default). */
    public static CopySelection all() {
        return new CopySelection(Mode.ALL, null);
    }

    /** The newest committed backup of each source. */
    public static CopySelection latest() {
        return new CopySelection(Mode.LATEST, null);
    }

    /** The newest committed backup of each calendar month (UTC), per source. */
    public static CopySelection monthlyLatest() {
        return new CopySelection(Mode.MONTHLY_LATEST, null);
    }

    /**
     * Parses {@code all}, {@code latest} or {@code monthly-latest}.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} for anything else
     */
    public static CopySelection parse(String s) {
        return switch (Objects.requireNonNull(s, "s")) {
            case "all" -> all();
            case "latest" -> latest();
            case "monthly-latest" -> monthlyLatest();
            default -> throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "unknown selection '" + s
                    + "': use all, latest or monthly-latest");
        };
    }

    /** Only backups started at or after {@code instant}. Default: no lower bound. */
    public CopySelection since(Instant instant) {
        return new CopySelection(mode, Objects.requireNonNull(instant, "instant"));
    }

    /**
     * The selected backups of one source among {@code oldestFirst} (as {@link BackupEngine#list} returns them),
     * oldest first.
     */
    public List<Manifest> apply(List<Manifest> oldestFirst) {
        List<Manifest> in = new ArrayList<>();
        for (Manifest m : oldestFirst) {
            if (since == null || (m.startedAt() != null && !m.startedAt().isBefore(since))) {
                in.add(m);
            }
        }
        switch (mode) {
            case LATEST:
                return in.isEmpty() ? List.of() : List.of(in.get(in.size() - 1));
            case MONTHLY_LATEST:
                Map<YearMonth, Manifest> newest = new LinkedHashMap<>();
                for (Manifest m : in) {
                    YearMonth month = m.startedAt() == null ? YearMonth.of(1970, 1)
                            : YearMonth.from(m.startedAt().atZone(ZoneOffset.UTC));
                    newest.remove(month); // keep insertion order of the newest per month
                    newest.put(month, m);
                }
                return List.copyOf(newest.values());
            default:
                return List.copyOf(in);
        }
    }

    @Override
    public String toString() {
        String m = switch (mode) {
            case ALL -> "all";
            case LATEST -> "latest";
            case MONTHLY_LATEST -> "monthly-latest";
        };
        return since == null ? m : m + " since " + since;
    }
}
