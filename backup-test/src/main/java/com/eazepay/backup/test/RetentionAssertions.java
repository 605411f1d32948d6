package com.eazepay.backup.test;

import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Unit-test retention policies without servers: generate backup histories and assert what a
 * policy keeps. Failures throw {@link AssertionError} whose message holds the plan's dry-run table.
 *
 * <pre>{@code
 * List<BackupInfo> history = RetentionAssertions.dailyBackups(Instant.parse("2024-01-01T02:00:00Z"), 3 * 365);
 * RetentionAssertions.assertThatPolicy(RetentionPolicy.builder().keepDaily(7).keepMonthly(12).build())
 *         .over(history).at(Instant.parse("2026-12-31T03:00:00Z"))
 *         .keeps(18)
 *         .removesNothingNewerThan(Instant.parse("2026-12-25T00:00:00Z"));
 * }</pre>
 *
 * Generated ids look like real ones and sort by time: {@code 20240101T020000Z-000000}.
 */
public final class RetentionAssertions {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private RetentionAssertions() {
    }

    /** The id {@link #backupsEvery} gives the {@code n}th generated backup at {@code time}. */
    public static String idOf(Instant time, int n) {
        return ID_TIME.format(time) + "-" + String.format("%06d", n);
    }

    /** One backup per day for {@code days} days, the first at {@code from}; oldest first. */
    public static List<BackupInfo> dailyBackups(Instant from, int days) {
        return backupsEvery(Duration.ofDays(1), from, days);
    }

    /** {@code count} backups {@code interval} apart, the first at {@code from}; oldest first. */
    public static List<BackupInfo> backupsEvery(Duration interval, Instant from, int count) {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(from, "from");
        if (interval.isZero() || interval.isNegative() || count < 0) {
            throw new IllegalArgumentException("need a positive interval and count >= 0, got " + interval + " and " + count);
        }
        List<BackupInfo> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant t = from.plus(interval.multipliedBy(i));
            list.add(BackupInfo.of(idOf(t, i), t));
        }
        return list;
    }

    /** Starts an assertion on what {@code policy} keeps. */
    public static PolicyAssert assertThatPolicy(RetentionPolicy policy) {
        return new PolicyAssert(Objects.requireNonNull(policy, "policy"), null);
    }

    /** A policy and, once {@link #over} was called, a history. Immutable. */
    public static final class PolicyAssert {
        private final RetentionPolicy policy;
        private final List<BackupInfo> history;

        private PolicyAssert(RetentionPolicy policy, List<BackupInfo> history) {
            this.policy = policy;
            this.history = history;
        }

        /** The backups the policy is applied to. */
        public PolicyAssert over(List<BackupInfo> backups) {
            return new PolicyAssert(policy, List.copyOf(backups));
        }

        /** Plans at {@code now} and returns assertions on the plan. */
        public PlanAssert at(Instant now) {
            if (history == null) {
                throw new IllegalStateException("call over(history) before at(now)");
            }
            return new PlanAssert(policy.plan(history, now));
        }
    }

    /** Assertions on one {@link RetentionPlan}; each returns {@code this} for chaining. */
    public static final class PlanAssert {
        private final RetentionPlan plan;

        private PlanAssert(RetentionPlan plan) {
            this.plan = plan;
        }

        /** The plan, for anything the assertions here do not cover. */
        public RetentionPlan plan() {
            return plan;
        }

        private AssertionError fail(String what) {
            return new AssertionError(what + "\nplan:\n" + plan.toTable());
        }

        /** Exactly {@code n} backups are kept. */
        public PlanAssert keeps(int n) {
            if (plan.kept().size() != n) {
                throw fail("expected " + n + " backups kept but " + plan.kept().size() + " are");
            }
            return this;
        }

        /** Exactly {@code n} backups are removed. */
        public PlanAssert removes(int n) {
            if (plan.removed().size() != n) {
                throw fail("expected " + n + " backups removed but " + plan.removed().size() + " are");
            }
            return this;
        }

        /** Every one of these ids is kept (others may be kept too). */
        public PlanAssert keepsIds(String... ids) {
            List<String> notKept = Arrays.stream(ids).filter(id -> !plan.isKept(id)).collect(Collectors.toList());
            if (!notKept.isEmpty()) {
                throw fail("expected kept but not kept: " + notKept);
            }
            return this;
        }

        /** The kept ids are exactly these, in any order. */
        public PlanAssert keepsExactlyIds(String... ids) {
            Set<String> expected = new LinkedHashSet<>(Arrays.asList(ids));
            Set<String> actual = plan.kept().stream().map(BackupInfo::id).collect(Collectors.toCollection(LinkedHashSet::new));
            if (!expected.equals(actual)) {
                Set<String> missing = new LinkedHashSet<>(expected);
                missing.removeAll(actual);
                Set<String> extra = new LinkedHashSet<>(actual);
                extra.removeAll(expected);
                throw fail("kept set differs: not kept " + missing + ", unexpectedly kept " + extra);
            }
            return this;
        }

        /** Every one of these ids is removed. */
        public PlanAssert removesIds(String... ids) {
            List<String> kept = Arrays.stream(ids).filter(plan::isKept).collect(Collectors.toList());
            Set<String> removed = plan.removed().stream().map(BackupInfo::id).collect(Collectors.toSet());
            List<String> unknown = Arrays.stream(ids).filter(id -> !plan.isKept(id) && !removed.contains(id))
                    .collect(Collectors.toList());
            if (!kept.isEmpty() || !unknown.isEmpty()) {
                throw fail("expected removed: " + kept + " are kept" + (unknown.isEmpty() ? "" : ", " + unknown + " are not in the history"));
            }
            return this;
        }

        /** No backup taken at or after {@code instant} is removed. */
        public PlanAssert removesNothingNewerThan(Instant instant) {
            List<String> removed = plan.removed().stream().filter(b -> !b.time().isBefore(instant))
                    .map(BackupInfo::id).collect(Collectors.toList());
            if (!removed.isEmpty()) {
                throw fail("expected nothing newer than " + instant + " removed, but removed " + removed);
            }
            return this;
        }

        /** The backup with this id is kept for (among others) exactly this reason, e.g. {@code monthly 2026-11}. */
        public PlanAssert keepsWithReason(String id, String reason) {
            if (!plan.isKept(id) || !plan.reasons(id).contains(reason)) {
                throw fail("expected " + id + " kept for '" + reason + "' but its reasons are "
                        + (plan.isKept(id) ? plan.reasons(id) : "none (removed or unknown)"));
            }
            return this;
        }
    }
}
