package com.eazepay.backup.retention;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which backups of one source to keep: restic's {@code forget} rules, ORed, plus a safety layer.
 * Immutable and thread-safe; build with {@link #builder()}; apply with the pure function
 * {@link #plan(List, Instant)}.
 *
 * <pre>{@code
 * RetentionPolicy gfs = RetentionPolicy.builder()
 *         .keepDaily(30).keepWeekly(12).keepMonthly(12).keepYearly(7)
 *         .keepTagged("pre-deploy")
 *         .build();                                   // buckets in UTC unless zone(..) is set
 * RetentionPlan plan = gfs.plan(backups, clock.instant());
 * plan.removed();                                     // what prune would delete, newest first
 * }</pre>
 *
 * <h2>Rules (semantics of restic's {@code forget})</h2>
 * Backups are walked newest first (equal times: greater id first). For a count rule ({@code keepLast/Hourly/Daily/Weekly/Monthly/Yearly(n)})
 * each backup falls in a bucket (its hour, day, ISO week, month or year in {@link #zone()}; for
 * {@code keepLast} every backup is its own bucket); the newest backup of each bucket is kept until n
 * buckets have been kept. While a rule still has buckets left when the walk reaches the oldest
 * backup, the oldest backup is kept too, even if its bucket was already kept (restic ≥ 0.17: the
 * history reaches as far back as the counts allow; its reason ends in {@code (oldest)}).
 * {@link #UNLIMITED} keeps one per bucket for all buckets.
 * {@code keepWithin(d)} keeps every backup taken less than {@code d} before the <em>newest</em>
 * backup (not before {@code now}: a schedule that stopped never ages everything out);
 * {@code keepWithinHourly/Daily/...(d)} keep the newest backup of each bucket within that window.
 * Backups dated after {@code now} (clock skew) do not move the window, as in restic.
 * {@code keepTagged(t)} keeps every backup carrying tag {@code t} ({@code "a,b"}: carrying both).
 * A backup is kept if any rule keeps it.
 *
 * <h2>Safety layer</h2>
 * On top of the rules, and whatever they say, {@code plan} never removes: the newest backup,
 * pinned backups, backups under legal hold, backups whose object lock is still in force at
 * {@code now}, and the newest backup that passed a restore test. Each is reported as a reason.
 *
 * <p>An empty policy is a configuration error ({@link CoreErrorCode#INVALID_CONFIGURATION}), never
 * "delete everything".
 */
public final class RetentionPolicy {

    /** Count value meaning "one per bucket, for every bucket" (restic's {@code -1}). */
    public static final int UNLIMITED = -1;

    /** The zone buckets are computed in unless {@link Builder#zone} says otherwise. */
    public static final ZoneId DEFAULT_ZONE = ZoneOffset.UTC;

    /** Bucket granularities, in restic's order. */
    private enum Unit {
        LAST("last"), HOURLY("hourly"), DAILY("daily"), WEEKLY("weekly"), MONTHLY("monthly"), YEARLY("yearly");

        final String word;

        Unit(String word) {
            this.word = word;
        }

        /** A number that is equal for two times in the same bucket and decreases with time. */
        long bucket(LocalDateTime t, int index) {
            switch (this) {
                case LAST:
                    return -index;
                case HOURLY:
                    return ((t.getYear() * 100L + t.getMonthValue()) * 100L + t.getDayOfMonth()) * 100L + t.getHour();
                case DAILY:
                    return (t.getYear() * 100L + t.getMonthValue()) * 100L + t.getDayOfMonth();
                case WEEKLY:
                    return t.get(IsoFields.WEEK_BASED_YEAR) * 100L + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
                case MONTHLY:
                    return t.getYear() * 100L + t.getMonthValue();
                case YEARLY:
                    return t.getYear();
                default:
                    throw new IllegalStateException(name());
            }
        }

        /** The bucket as people write it: {@code 2026-11-23T14}, {@code 2026-11-23}, {@code 2026-W47}, ... */
        String label(LocalDateTime t) {
            switch (this) {
                case HOURLY:
                    return String.format("%04d-%02d-%02dT%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour());
                case DAILY:
                    return String.format("%04d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth());
                case WEEKLY:
                    return String.format("%04d-W%02d", t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
                case MONTHLY:
                    return String.format("%04d-%02d", t.getYear(), t.getMonthValue());
                case YEARLY:
                    return String.format("%04d", t.getYear());
                default:
                    throw new IllegalStateException(name());
            }
        }
    }

    private final int[] counts;              // indexed by Unit.ordinal(); 0 = rule not set
    private final Duration within;           // null = not set
    private final Duration[] withinBuckets;  // indexed by Unit.ordinal(); LAST unused; null = not set
    private final List<Set<String>> tagSets;
    private final ZoneId zone;

    private RetentionPolicy(Builder b) {
        this.counts = b.counts.clone();
        this.within = b.within;
        this.withinBuckets = b.withinBuckets.clone();
        this.tagSets = List.copyOf(b.tagSets);
        this.zone = b.zone == null ? DEFAULT_ZONE : b.zone;
    }

    /** A new, empty builder. Every rule may be set once; {@link Builder#build()} needs at least one. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code keepLast(n)}: n, {@link #UNLIMITED}, or 0 when not set. */
    public int keepLast() {
        return counts[Unit.LAST.ordinal()];
    }

    /** {@code keepHourly(n)}: n, {@link #UNLIMITED}, or 0 when not set. */
    public int keepHourly() {
        return counts[Unit.HOURLY.ordinal()];
    }

    /** {@code keepDaily(n)}: n, {@link #UNLIMITED}, or 0 when not set. */
    public int keepDaily() {
        return counts[Unit.DAILY.ordinal()];
    }

    /** {@code keepWeekly(n)}: n, {@link #UNLIMITED}, or 0 when not set. */
    public int keepWeekly() {
        return counts[Unit.WEEKLY.ordinal()];
    }

    /** {@code keepMonthly(n)}: n, {@link #UNLIMITED}, or 0 when not set. */
    public int keepMonthly() {
        return counts[Unit.MONTHLY.ordinal()];
    }

    /** {@code keepYearly(n)}: n, {@link #UNLIMITED}, or 0 when not set. */
    public int keepYearly() {
        return counts[Unit.YEARLY.ordinal()];
    }

    /** The zone hour/day/week/month/year buckets are computed in (default UTC). */
    public ZoneId zone() {
        return zone;
    }

    /**
     * Decides which of {@code backups} to keep and which to remove. Pure: reads nothing but its
     * arguments, changes nothing, and gives the same plan for the same input.
     *
     * @param backups the committed backups of one source, in any order; ids must be unique
     * @param now     the current time, for object-lock expiry and to ignore future-dated backups
     *                when measuring {@code keepWithin*} windows
     * @return the plan, kept and removed each newest first, with reasons
     * @throws BackupException {@code INVALID_CONFIGURATION} (not retryable) if two backups share an id
     */
    public RetentionPlan plan(List<BackupInfo> backups, Instant now) {
        Objects.requireNonNull(backups, "backups");
        Objects.requireNonNull(now, "now");
        List<BackupInfo> sorted = new ArrayList<>(backups);
        sorted.sort(Comparator.comparing(BackupInfo::time).thenComparing(BackupInfo::id).reversed());
        Set<String> ids = new HashSet<>(sorted.size() * 2);
        for (BackupInfo b : sorted) {
            if (!ids.add(b.id())) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                        "backup id " + b.id() + " appears twice in the list given to RetentionPolicy.plan(): list each backup once");
            }
        }
        Map<String, List<String>> reasons = new LinkedHashMap<>(sorted.size() * 2);
        List<BackupInfo> kept = new ArrayList<>();
        List<BackupInfo> removed = new ArrayList<>();
        if (sorted.isEmpty()) {
            return new RetentionPlan(toString(), now, kept, removed, reasons);
        }

        Instant latest = latestNotAfter(sorted, now);
        Unit[] units = Unit.values();
        long[] lastBucket = new long[units.length];
        boolean[] anyBucket = new boolean[units.length];
        int[] left = counts.clone();
        int[] keptByRule = new int[units.length];
        long[] lastWithinBucket = new long[units.length];
        boolean[] anyWithinBucket = new boolean[units.length];
        Instant[] withinFrom = new Instant[units.length];
        for (Unit u : units) {
            if (withinBuckets[u.ordinal()] != null) {
                withinFrom[u.ordinal()] = latest.minus(withinBuckets[u.ordinal()]);
            }
        }
        Instant withinAllFrom = within == null ? null : latest.minus(within);
        BackupInfo newestVerified = sorted.stream().filter(BackupInfo::verified).findFirst().orElse(null);

        for (int nr = 0; nr < sorted.size(); nr++) {
            BackupInfo cur = sorted.get(nr);
            LocalDateTime local = null; // computed only if a rule still needs buckets: cheap for long histories
            List<String> why = new ArrayList<>(2);

            for (Set<String> tagSet : tagSets) {
                if (cur.tags().containsAll(tagSet)) {
                    why.add("tagged " + String.join(",", tagSet));
                }
            }
            // restic: strictly after (newest - within)
            if (withinAllFrom != null && cur.time().isAfter(withinAllFrom)) {
                why.add("within " + formatDuration(within));
            }
            for (Unit u : units) {
                int i = u.ordinal();
                if (left[i] > 0 || left[i] == UNLIMITED) {
                    if (local == null && u != Unit.LAST) {
                        local = LocalDateTime.ofInstant(cur.time(), zone);
                    }
                    long val = u.bucket(local, nr);
                    // restic also keeps the oldest backup while the rule has buckets left
                    boolean newBucket = !anyBucket[i] || val != lastBucket[i];
                    if (newBucket || nr == sorted.size() - 1) {
                        anyBucket[i] = true;
                        lastBucket[i] = val;
                        if (left[i] > 0) {
                            left[i]--;
                        }
                        keptByRule[i]++;
                        why.add(u == Unit.LAST ? "last " + keptByRule[i]
                                : u.word + " " + u.label(local) + (newBucket ? "" : " (oldest)"));
                    }
                }
            }
            for (Unit u : units) {
                int i = u.ordinal();
                if (withinFrom[i] != null && cur.time().isAfter(withinFrom[i])) {
                    if (local == null) {
                        local = LocalDateTime.ofInstant(cur.time(), zone);
                    }
                    long val = u.bucket(local, nr);
                    if (!anyWithinBucket[i] || val != lastWithinBucket[i]) {
                        anyWithinBucket[i] = true;
                        lastWithinBucket[i] = val;
                        why.add(u.word + " " + u.label(local) + " within " + formatDuration(withinBuckets[i]));
                    }
                }
            }

            // safety layer: whatever the rules say
            if (nr == 0) {
                why.add("newest backup");
            }
            if (cur.pinned()) {
                why.add("pinned");
            }
            if (cur.legalHold()) {
                why.add("legal hold");
            }
            if (cur.isLockedAt(now)) {
                why.add("object lock until " + cur.lockedUntil().get());
            }
            if (cur == newestVerified) {
                why.add("newest verified backup");
            }

            if (why.isEmpty()) {
                removed.add(cur);
            } else {
                kept.add(cur);
                reasons.put(cur.id(), Collections.unmodifiableList(why));
            }
        }
        return new RetentionPlan(toString(), now, kept, removed, reasons);
    }

    /** The newest backup time not after {@code now}; the newest time if all are in the future. */
    private static Instant latestNotAfter(List<BackupInfo> newestFirst, Instant now) {
        for (BackupInfo b : newestFirst) {
            if (!b.time().isAfter(now)) {
                return b.time();
            }
        }
        return newestFirst.get(0).time();
    }

    /** {@code 7d}, {@code 1d12h}, {@code 90s}: restic-like and short. */
    static String formatDuration(Duration d) {
        StringBuilder sb = new StringBuilder();
        long days = d.toDays();
        if (days > 0) {
            sb.append(days).append('d');
        }
        if (d.toHoursPart() > 0) {
            sb.append(d.toHoursPart()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            sb.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || d.toNanosPart() > 0 || sb.length() == 0) {
            sb.append(d.toSecondsPart());
            if (d.toNanosPart() > 0) {
                sb.append('.').append(String.format("%09d", d.toNanosPart()).replaceAll("0+$", ""));
            }
            sb.append('s');
        }
        return sb.toString();
    }

    /** The policy in words, e.g. {@code keep 30 daily, 12 weekly, tagged pre-deploy (zone UTC)}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Unit u : Unit.values()) {
            int n = counts[u.ordinal()];
            if (n != 0) {
                parts.add((n == UNLIMITED ? "all" : Integer.toString(n)) + " " + u.word);
            }
        }
        if (within != null) {
            parts.add("all within " + formatDuration(within) + " of the newest");
        }
        for (Unit u : Unit.values()) {
            if (withinBuckets[u.ordinal()] != null) {
                parts.add(u.word + " within " + formatDuration(withinBuckets[u.ordinal()]) + " of the newest");
            }
        }
        for (Set<String> tagSet : tagSets) {
            parts.add("tagged " + String.join(",", tagSet));
        }
        return "keep " + String.join(", ", parts) + " (zone " + (zone.equals(ZoneOffset.UTC) ? "UTC" : zone.getId()) + ")";
    }

    /**
     * Builds a {@link RetentionPolicy}. No rule is set by default and the zone is UTC. Each method
     * may be called once; a second call, or a bad value, throws {@link BackupException}
     * {@code INVALID_CONFIGURATION} (not retryable) at once. Counts must be {@code >= 1} or
     * {@link #UNLIMITED}; durations must be positive. Not thread-safe.
     */
    public static final class Builder {

        private final int[] counts = new int[Unit.values().length];
        private Duration within;
        private final Duration[] withinBuckets = new Duration[Unit.values().length];
        private final List<Set<String>> tagSets = new ArrayList<>();
        private boolean tagsSet;
        private ZoneId zone;

        private Builder() {
        }

        private Builder count(Unit unit, int n) {
            String name = "keep" + Character.toUpperCase(unit.word.charAt(0)) + unit.word.substring(1);
            if (counts[unit.ordinal()] != 0) {
                throw invalid(name + " was already set to " + counts[unit.ordinal()] + ": set each rule once");
            }
            if (n < 1 && n != UNLIMITED) {
                throw invalid(name + "(" + n + ") is invalid: use a count >= 1, or RetentionPolicy.UNLIMITED (-1); "
                        + "leave the rule out to not use it");
            }
            counts[unit.ordinal()] = n;
            return this;
        }

        private Builder withinBucket(Unit unit, Duration d) {
            String name = "keepWithin" + Character.toUpperCase(unit.word.charAt(0)) + unit.word.substring(1);
            if (withinBuckets[unit.ordinal()] != null) {
                throw invalid(name + " was already set to " + withinBuckets[unit.ordinal()] + ": set each rule once");
            }
            withinBuckets[unit.ordinal()] = positive(name, d);
            return this;
        }

        private static Duration positive(String name, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw invalid(name + "(" + d + ") is invalid: use a positive duration");
            }
            return d;
        }

        private static BackupException invalid(String message) {
            return new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "retention policy: " + message);
        }

        /** Keeps the n newest backups. */
        public Builder keepLast(int n) {
            return count(Unit.LAST, n);
        }

        /** Keeps the newest backup of each of the n most recent hours that have one. */
        public Builder keepHourly(int n) {
            return count(Unit.HOURLY, n);
        }

        /** Keeps the newest backup of each of the n most recent days that have one. */
        public Builder keepDaily(int n) {
            return count(Unit.DAILY, n);
        }

        /** Keeps the newest backup of each of the n most recent ISO weeks that have one. */
        public Builder keepWeekly(int n) {
            return count(Unit.WEEKLY, n);
        }

        /** Keeps the newest backup of each of the n most recent months that have one. */
        public Builder keepMonthly(int n) {
            return count(Unit.MONTHLY, n);
        }

        /** Keeps the newest backup of each of the n most recent years that have one. */
        public Builder keepYearly(int n) {
            return count(Unit.YEARLY, n);
        }

        /** Keeps every backup taken less than {@code d} before the newest backup. */
        public Builder keepWithin(Duration d) {
            if (within != null) {
                throw invalid("keepWithin was already set to " + within + ": set each rule once");
            }
            within = positive("keepWithin", d);
            return this;
        }

        /** Keeps the newest backup of each hour within {@code d} of the newest backup. */
        public Builder keepWithinHourly(Duration d) {
            return withinBucket(Unit.HOURLY, d);
        }

        /** Keeps the newest backup of each day within {@code d} of the newest backup. */
        public Builder keepWithinDaily(Duration d) {
            return withinBucket(Unit.DAILY, d);
        }

        /** Keeps the newest backup of each ISO week within {@code d} of the newest backup. */
        public Builder keepWithinWeekly(Duration d) {
            return withinBucket(Unit.WEEKLY, d);
        }

        /** Keeps the newest backup of each month within {@code d} of the newest backup. */
        public Builder keepWithinMonthly(Duration d) {
            return withinBucket(Unit.MONTHLY, d);
        }

        /** Keeps the newest backup of each year within {@code d} of the newest backup. */
        public Builder keepWithinYearly(Duration d) {
            return withinBucket(Unit.YEARLY, d);
        }

        /**
         * Keeps every backup carrying one of these tags. An argument with commas ({@code "a,b"})
         * keeps backups carrying all of its tags, as restic's {@code --keep-tag a,b}.
         */
        public Builder keepTagged(String... tags) {
            if (tagsSet) {
                throw invalid("keepTagged was already set to " + tagSets + ": pass all tags in one call");
            }
            if (tags == null || tags.length == 0) {
                throw invalid("keepTagged() needs at least one tag");
            }
            for (String t : tags) {
                if (t == null || t.isBlank()) {
                    throw invalid("keepTagged(" + Arrays.toString(tags) + ") is invalid: tags must not be blank");
                }
                Set<String> set = new TreeSet<>();
                for (String part : t.split(",")) {
                    if (part.isBlank()) {
                        throw invalid("keepTagged(\"" + t + "\") is invalid: empty tag between commas");
                    }
                    set.add(part.trim());
                }
                tagSets.add(Collections.unmodifiableSet(set));
            }
            tagsSet = true;
            return this;
        }

        /** The zone whose calendar defines hours, days, weeks, months and years (default UTC). */
        public Builder zone(ZoneId z) {
            if (zone != null) {
                throw invalid("zone was already set to " + zone + ": set it once");
            }
            if (z == null) {
                throw invalid("zone(null) is invalid: pass a ZoneId such as ZoneOffset.UTC");
            }
            zone = z;
            return this;
        }

        /**
         * The policy.
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} if no rule was set: an empty policy
         *                         would delete everything, so it is refused
         */
        public RetentionPolicy build() {
            boolean any = tagsSet || within != null
                    || Arrays.stream(counts).anyMatch(n -> n != 0)
                    || Arrays.stream(withinBuckets).anyMatch(Objects::nonNull);
            if (!any) {
                throw invalid("the policy has no rule and would remove every backup but the safety-kept ones: "
                        + "set at least one of keepLast/Hourly/Daily/Weekly/Monthly/Yearly, keepWithin*, keepTagged");
            }
            return new RetentionPolicy(this);
        }
    }
}
