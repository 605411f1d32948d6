package com.eazepay.backup.retention;

import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of {@link RetentionPolicy#plan} over random histories and policies. jqwik prints the
 * seed of a failing run (and replays it first on the next run, per its default database).
 */
class RetentionPropertiesTest {

    private static final Instant BASE = Instant.parse("2020-01-01T00:00:00Z");
    private static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("Asia/Kolkata"),
            ZoneId.of("America/New_York"), ZoneId.of("Pacific/Chatham"));
    private static final String[] WITHIN_NAMES = {"within", "hourly", "daily", "weekly", "monthly", "yearly"};

    /**
     * A policy as plain data so properties can vary one rule. counts: last, hourly, daily, weekly,
     * monthly, yearly (0 = unset); withinHours: within, within-hourly .. within-yearly (0 = unset).
     */
    record Spec(int[] counts, long[] withinHours, boolean tagged, ZoneId zone) {

        boolean isEmpty() {
            return Arrays.stream(counts).allMatch(n -> n == 0) && Arrays.stream(withinHours).allMatch(h -> h == 0) && !tagged;
        }

        Spec withCount(int rule, int n) {
            int[] c = counts.clone();
            c[rule] = n;
            return new Spec(c, withinHours, tagged, zone);
        }

        Spec withWithin(int rule, long hours) {
            long[] w = withinHours.clone();
            w[rule] = hours;
            return new Spec(counts, w, tagged, zone);
        }

        /** Every single-rule spec this spec is the OR of. */
        List<Spec> singleRules() {
            List<Spec> singles = new ArrayList<>();
            Spec none = new Spec(new int[6], new long[6], false, zone);
            for (int i = 0; i < 6; i++) {
                if (counts[i] != 0) {
                    singles.add(none.withCount(i, counts[i]));
                }
                if (withinHours[i] != 0) {
                    singles.add(none.withWithin(i, withinHours[i]));
                }
            }
            if (tagged) {
                singles.add(new Spec(new int[6], new long[6], true, zone));
            }
            return singles;
        }

        RetentionPolicy policy() {
            RetentionPolicy.Builder b = RetentionPolicy.builder().zone(zone);
            if (counts[0] != 0) b.keepLast(counts[0]);
            if (counts[1] != 0) b.keepHourly(counts[1]);
            if (counts[2] != 0) b.keepDaily(counts[2]);
            if (counts[3] != 0) b.keepWeekly(counts[3]);
            if (counts[4] != 0) b.keepMonthly(counts[4]);
            if (counts[5] != 0) b.keepYearly(counts[5]);
            if (withinHours[0] != 0) b.keepWithin(Duration.ofHours(withinHours[0]));
            if (withinHours[1] != 0) b.keepWithinHourly(Duration.ofHours(withinHours[1]));
            if (withinHours[2] != 0) b.keepWithinDaily(Duration.ofHours(withinHours[2]));
            if (withinHours[3] != 0) b.keepWithinWeekly(Duration.ofHours(withinHours[3]));
            if (withinHours[4] != 0) b.keepWithinMonthly(Duration.ofHours(withinHours[4]));
            if (withinHours[5] != 0) b.keepWithinYearly(Duration.ofHours(withinHours[5]));
            if (tagged) b.keepTagged("pre-deploy");
            return b.build();
        }

        @Override
        public String toString() {
            return policy().toString();
        }
    }

    @Provide
    Arbitrary<Spec> specs() {
        Arbitrary<Integer> count = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(1, 15)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(RetentionPolicy.UNLIMITED)));
        Arbitrary<Long> within = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 3000)));
        return Combinators.combine(count.array(int[].class).ofSize(6), within.array(long[].class).ofSize(6),
                        Arbitraries.frequency(net.jqwik.api.Tuple.of(4, false), net.jqwik.api.Tuple.of(1, true)),
                        Arbitraries.of(ZONES))
                .as(Spec::new)
                .map(s -> s.isEmpty() ? s.withCount(0, 1) : s);
    }

    @Provide
    Arbitrary<List<BackupInfo>> histories() {
        // up to 3 years of backups at random seconds, dense enough to share hours and days
        Arbitrary<Long> second = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 3L * 365 * 86400),
                Arbitraries.longs().between(2L * 365 * 86400, 2L * 365 * 86400 + 5 * 86400));
        Arbitrary<BackupInfo> backup = Combinators.combine(second,
                Arbitraries.integers().between(0, 19), Arbitraries.longs().between(0, 1 << 20))
                .as((s, flags, size) -> {
                    BackupInfo b = BackupInfo.of("b" + s, BASE.plusSeconds(s)).withStoredBytes(size);
                    if (flags == 0) b = b.withTags("pre-deploy");
                    if (flags == 1) b = b.withPinned(true);
                    if (flags == 2) b = b.withLegalHold(true);
                    if (flags == 3) b = b.withVerified(true);
                    if (flags == 4) b = b.withLockedUntil(BASE.plusSeconds(s).plus(Duration.ofDays(90)));
                    return b;
                });
        return backup.list().ofMaxSize(120).uniqueElements(BackupInfo::id);
    }

    private static Instant nowAfter(List<BackupInfo> history, long offsetHours) {
        Instant newest = history.stream().map(BackupInfo::time).max(Comparator.naturalOrder()).orElse(BASE);
        return newest.plus(Duration.ofHours(offsetHours));
    }

    private static Set<String> ids(List<BackupInfo> list) {
        return list.stream().map(BackupInfo::id).collect(Collectors.toSet());
    }

    @Property(tries = 250)
    void theNewestBackupIsAlwaysKeptAndKeptAndRemovedPartitionTheInput(
            @ForAll("histories") List<BackupInfo> history, @ForAll("specs") Spec spec,
            @ForAll @LongRange(min = -48, max = 24 * 400) long nowOffsetHours) {
        RetentionPlan plan = spec.policy().plan(history, nowAfter(history, nowOffsetHours));
        assertThat(plan.kept().size() + plan.removed().size()).isEqualTo(history.size());
        Set<String> all = new HashSet<>(ids(plan.kept()));
        all.addAll(ids(plan.removed()));
        assertThat(all).isEqualTo(ids(history));
        history.stream().max(Comparator.comparing(BackupInfo::time).thenComparing(BackupInfo::id))
                .ifPresent(newest -> assertThat(plan.reasons(newest.id())).contains("newest backup"));
        assertThat(plan.kept()).isSortedAccordingTo(Comparator.comparing(BackupInfo::time).reversed());
        for (BackupInfo b : plan.kept()) {
            assertThat(plan.reasons(b.id())).isNotEmpty();
        }
    }

    @Property(tries = 250)
    void planningTheKeptSetAgainRemovesNothing(
            @ForAll("histories") List<BackupInfo> history, @ForAll("specs") Spec spec,
            @ForAll @LongRange(min = -48, max = 24 * 400) long nowOffsetHours) {
        Instant now = nowAfter(history, nowOffsetHours);
        RetentionPolicy policy = spec.policy();
        RetentionPlan first = policy.plan(history, now);
        RetentionPlan second = policy.plan(first.kept(), now);
        assertThat(second.removed()).isEmpty();
    }

    @Property(tries = 250)
    void raisingACountOrWideningAWindowNeverRemovesWhatWasKept(
            @ForAll("histories") List<BackupInfo> history, @ForAll("specs") Spec spec,
            @ForAll @IntRange(min = 0, max = 5) int rule, @ForAll @IntRange(min = 1, max = 20) int more,
            @ForAll boolean window, @ForAll @LongRange(min = -48, max = 24 * 400) long nowOffsetHours) {
        Instant now = nowAfter(history, nowOffsetHours);
        Spec raised;
        if (window) {
            raised = spec.withWithin(rule, spec.withinHours()[rule] + more * 24L);
        } else {
            int n = spec.counts()[rule];
            raised = n == RetentionPolicy.UNLIMITED ? spec : spec.withCount(rule, n + more);
        }
        Set<String> before = ids(spec.policy().plan(history, now).kept());
        Set<String> after = ids(raised.policy().plan(history, now).kept());
        assertThat(after).as("%s kept all that %s kept", raised, spec).containsAll(before);
        if (!window && spec.counts()[rule] != RetentionPolicy.UNLIMITED) {
            Set<String> unlimited = ids(spec.withCount(rule, RetentionPolicy.UNLIMITED).policy().plan(history, now).kept());
            assertThat(unlimited).containsAll(after);
        }
    }

    @Property(tries = 250)
    void rulesAreOredTheCombinedPolicyKeepsEverythingAnySingleRuleKeeps(
            @ForAll("histories") List<BackupInfo> history, @ForAll("specs") Spec spec,
            @ForAll @LongRange(min = -48, max = 24 * 400) long nowOffsetHours) {
        Instant now = nowAfter(history, nowOffsetHours);
        Set<String> combined = ids(spec.policy().plan(history, now).kept());
        Set<String> union = new HashSet<>();
        for (Spec single : spec.singleRules()) {
            Set<String> kept = ids(single.policy().plan(history, now).kept());
            assertThat(combined).as("%s keeps all that %s keeps", spec, single).containsAll(kept);
            union.addAll(kept);
        }
        // and nothing beyond the union: the rules are ORed, not something wider
        assertThat(union).containsAll(combined);
    }

    @Property(tries = 200)
    void dailyBucketsFollowTheConfiguredZone(
            @ForAll @IntRange(min = 0, max = 3650) int dayOffset, @ForAll @IntRange(min = 0, max = 29) int minute) {
        LocalDate day = LocalDate.of(2020, 1, 1).plusDays(dayOffset);
        Instant late = day.atTime(23, 30 + minute).toInstant(ZoneOffset.UTC);  // next day in Kolkata (UTC+5:30)
        Instant evening = day.atTime(17, 0).toInstant(ZoneOffset.UTC);        // same day in both zones
        Instant noon = day.atTime(12, 0).toInstant(ZoneOffset.UTC);
        List<BackupInfo> history = List.of(BackupInfo.of("late", late), BackupInfo.of("evening", evening),
                BackupInfo.of("noon", noon));

        RetentionPlan utc = RetentionPolicy.builder().keepDaily(2).build().plan(history, late);
        RetentionPlan kolkata = RetentionPolicy.builder().keepDaily(2).zone(ZoneId.of("Asia/Kolkata")).build().plan(history, late);

        // UTC: one day; the newest is kept, and the oldest because a bucket is left (restic's rule)
        assertThat(ids(utc.kept())).containsExactlyInAnyOrder("late", "noon");
        assertThat(utc.reasons("late")).contains("daily " + day);
        // Kolkata: late is the next day, so evening is the newest of the previous day
        assertThat(ids(kolkata.kept())).containsExactlyInAnyOrder("late", "evening");
        assertThat(kolkata.reasons("late")).contains("daily " + day.plusDays(1));
        assertThat(kolkata.reasons("evening")).containsExactly("daily " + day);
    }
}
