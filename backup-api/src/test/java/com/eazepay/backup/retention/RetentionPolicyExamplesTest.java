package com.eazepay.backup.retention;

import com.eazepay.backup.Manifest;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionPolicyExamplesTest {

    private static final RetentionPolicy GFS = RetentionPolicy.builder()
            .keepDaily(30).keepWeekly(12).keepMonthly(12).keepYearly(7).build();

    static String id(Instant t) {
        return t.toString().replace("-", "").replace(":", "").substring(0, 15) + "Z";
    }

    static List<BackupInfo> dailyAt0200(LocalDate first, LocalDate last) {
        List<BackupInfo> list = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            Instant t = d.atTime(2, 0).toInstant(ZoneOffset.UTC);
            list.add(BackupInfo.of(id(t), t).withStoredBytes(1_000_000));
        }
        return list;
    }

    @Test
    void gfsOverEightYearsOfDailyBackupsKeepsTheNewestOfEachBucketAndNothingElse() {
        LocalDate last = LocalDate.of(2026, 11, 26);
        LocalDate first = last.minusYears(8).plusDays(1);
        List<BackupInfo> history = dailyAt0200(first, last);
        assertThat(history).hasSize(2922);

        RetentionPlan plan = GFS.plan(history, last.atTime(3, 0).toInstant(ZoneOffset.UTC));

        // independent expectation: group all days by bucket, take the newest day of the N newest buckets
        Set<LocalDate> days = new TreeSet<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            days.add(d);
        }
        Set<LocalDate> expected = new TreeSet<>();
        expected.addAll(newestOfNewestBuckets(days, d -> d.toEpochDay(), 30));
        expected.addAll(newestOfNewestBuckets(days,
                d -> d.get(IsoFields.WEEK_BASED_YEAR) * 100L + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 12));
        expected.addAll(newestOfNewestBuckets(days, d -> d.getYear() * 100L + d.getMonthValue(), 12));
        expected.addAll(newestOfNewestBuckets(days, d -> (long) d.getYear(), 7));

        Set<LocalDate> kept = plan.kept().stream()
                .map(b -> LocalDate.ofInstant(b.time(), ZoneOffset.UTC)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(kept).isEqualTo(expected);
        // by hand: 30 days (Oct 28 - Nov 26) + 7 more Sundays (W37-W43) + 10 more month ends
        // (Dec 2025 - Sep 2026) + 5 more year ends (2020 - 2024)
        assertThat(plan.kept()).hasSize(52);
        assertThat(plan.removed()).hasSize(2922 - 52);
        assertThat(kept).contains(LocalDate.of(2026, 9, 13), LocalDate.of(2026, 9, 30), LocalDate.of(2025, 12, 31),
                LocalDate.of(2020, 12, 31));
        assertThat(kept).doesNotContain(LocalDate.of(2026, 9, 6), LocalDate.of(2019, 12, 31), LocalDate.of(2025, 11, 30));
        assertThat(plan.bytesFreed()).isEqualTo((2922 - 52) * 1_000_000L);

        BackupInfo newest = plan.kept().get(0);
        assertThat(plan.reasons(newest.id()))
                .containsExactly("daily 2026-11-26", "weekly 2026-W48", "monthly 2026-11", "yearly 2026", "newest backup");
        assertThat(plan.reasons(id(Instant.parse("2025-12-31T02:00:00Z"))))
                .containsExactly("monthly 2025-12", "yearly 2025");
        assertThat(plan.reasons(id(Instant.parse("2026-09-06T02:00:00Z")))).isEmpty();
    }

    private static Set<LocalDate> newestOfNewestBuckets(Set<LocalDate> days, java.util.function.ToLongFunction<LocalDate> bucket, int n) {
        TreeMap<Long, LocalDate> newestPerBucket = new TreeMap<>();
        for (LocalDate d : days) {
            newestPerBucket.merge(bucket.applyAsLong(d), d, (a, b) -> a.isAfter(b) ? a : b);
        }
        return newestPerBucket.descendingMap().values().stream().limit(n).collect(Collectors.toSet());
    }

    @Test
    void redisKeepWithinSevenDaysOverSixHourlyBackupsKeepsExactlyTheLastSevenDaysEvenWhenTheScheduleStopped() {
        RetentionPolicy redis = RetentionPolicy.builder().keepWithin(Duration.ofDays(7)).build();
        Instant newest = Instant.parse("2026-11-26T18:00:00Z");
        List<BackupInfo> history = new ArrayList<>();
        for (int i = 0; i < 4 * 30; i++) {
            Instant t = newest.minus(Duration.ofHours(6L * i));
            history.add(BackupInfo.of(id(t), t));
        }

        for (Instant now : List.of(newest.plusSeconds(60), newest.plus(Duration.ofDays(30)))) {
            RetentionPlan plan = redis.plan(history, now);
            // strictly after newest - 7d, as restic: 28 backups, the one exactly 7 days older is removed
            assertThat(plan.kept()).hasSize(28);
            assertThat(plan.kept()).allMatch(b -> b.time().isAfter(newest.minus(Duration.ofDays(7))));
            assertThat(plan.isKept(id(newest.minus(Duration.ofDays(7))))).isFalse();
            assertThat(plan.reasons(id(newest.minus(Duration.ofHours(6))))).containsExactly("within 7d");
        }
    }

    @Test
    void aBackupAt2330UtcIsTheNextDayInKolkata() {
        Instant t = Instant.parse("2026-11-23T23:30:00Z");
        BackupInfo b = BackupInfo.of("b", t);
        assertThat(RetentionPolicy.builder().keepDaily(1).build().plan(List.of(b), t).reasons("b"))
                .contains("daily 2026-11-23");
        assertThat(RetentionPolicy.builder().keepDaily(1).zone(ZoneId.of("Asia/Kolkata")).build().plan(List.of(b), t).reasons("b"))
                .contains("daily 2026-11-24");
    }

    @Test
    void isoWeeksCrossTheYearBoundary() {
        // 2027-01-01 is a Friday: ISO week 2026-W53
        Instant t = Instant.parse("2027-01-01T02:00:00Z");
        assertThat(RetentionPolicy.builder().keepWeekly(1).build().plan(List.of(BackupInfo.of("b", t)), t).reasons("b"))
                .contains("weekly 2026-W53");
    }

    @Test
    void keepLastKeepsTheNNewestAndCountsThem() {
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        List<BackupInfo> history = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            history.add(BackupInfo.of("b" + i, t0.plusSeconds(i)));
        }
        RetentionPlan plan = RetentionPolicy.builder().keepLast(3).build().plan(history, t0.plusSeconds(100));
        assertThat(plan.kept()).extracting(BackupInfo::id).containsExactly("b9", "b8", "b7");
        assertThat(plan.removed()).extracting(BackupInfo::id).containsExactly("b6", "b5", "b4", "b3", "b2", "b1", "b0");
        assertThat(plan.reasons("b9")).containsExactly("last 1", "newest backup");
        assertThat(plan.reasons("b7")).containsExactly("last 3");
    }

    @Test
    void aCountRuleWithBucketsLeftAlsoKeepsTheOldestBackupAsRestic() {
        Instant d = Instant.parse("2026-11-01T10:00:00Z");
        List<BackupInfo> history = List.of(
                BackupInfo.of("d1-late", d.plus(Duration.ofHours(5))), BackupInfo.of("d1-early", d),
                BackupInfo.of("d0-late", d.minus(Duration.ofHours(12))), BackupInfo.of("d0-early", d.minus(Duration.ofHours(20))));
        RetentionPlan plan = RetentionPolicy.builder().keepDaily(10).build().plan(history, d.plus(Duration.ofDays(1)));
        assertThat(plan.kept()).extracting(BackupInfo::id).containsExactly("d1-late", "d0-late", "d0-early");
        assertThat(plan.reasons("d0-early")).containsExactly("daily 2026-10-31 (oldest)");
        assertThat(plan.removed()).extracting(BackupInfo::id).containsExactly("d1-early");
    }

    @Test
    void unlimitedKeepsOnePerBucketForever() {
        List<BackupInfo> history = dailyAt0200(LocalDate.of(2020, 1, 1), LocalDate.of(2026, 11, 26));
        RetentionPlan plan = RetentionPolicy.builder().keepYearly(RetentionPolicy.UNLIMITED).build()
                .plan(history, Instant.parse("2026-11-27T00:00:00Z"));
        // Dec 31 of 2020..2025, the newest, and the oldest (Jan 1 2020, restic's oldest rule)
        assertThat(plan.kept()).hasSize(8);
    }

    @Test
    void withinBucketRulesKeepOnePerBucketInsideTheWindow() {
        Instant newest = Instant.parse("2026-11-26T18:00:00Z");
        List<BackupInfo> history = new ArrayList<>();
        for (int i = 0; i < 4 * 20; i++) {
            Instant t = newest.minus(Duration.ofHours(6L * i));
            history.add(BackupInfo.of(id(t), t));
        }
        RetentionPlan plan = RetentionPolicy.builder().keepWithinDaily(Duration.ofDays(10)).build().plan(history, newest);
        // window (Nov 16 18:00, Nov 26 18:00]: days Nov 17 .. Nov 26, each kept by its 18:00 backup
        // (Nov 16 18:00 itself is not strictly inside)
        assertThat(plan.kept()).hasSize(10);
        assertThat(plan.kept()).allMatch(b -> b.time().toString().endsWith("T18:00:00Z"));
        assertThat(plan.reasons(id(Instant.parse("2026-11-20T18:00:00Z")))).containsExactly("daily 2026-11-20 within 10d");
    }

    @Test
    void safetyLayerKeepsNewestPinnedLegalHoldLockedAndNewestVerifiedWithReasons() {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        List<BackupInfo> history = List.of(
                BackupInfo.of("newest", now.minusSeconds(10)),
                BackupInfo.of("pinned", now.minusSeconds(20)).withPinned(true),
                BackupInfo.of("hold", now.minusSeconds(30)).withLegalHold(true),
                BackupInfo.of("locked", now.minusSeconds(40)).withLockedUntil(Instant.parse("2027-01-01T00:00:00Z")),
                BackupInfo.of("lock-expired", now.minusSeconds(50)).withLockedUntil(now),
                BackupInfo.of("verified", now.minusSeconds(60)).withVerified(true),
                BackupInfo.of("older-verified", now.minusSeconds(70)).withVerified(true),
                BackupInfo.of("deploy", now.minusSeconds(80)).withTags("pre-deploy", "x"),
                BackupInfo.of("plain", now.minusSeconds(90)).withStoredBytes(5));
        RetentionPlan plan = RetentionPolicy.builder().keepTagged("pre-deploy").build().plan(history, now);
        assertThat(plan.reasons("newest")).containsExactly("newest backup");
        assertThat(plan.reasons("pinned")).containsExactly("pinned");
        assertThat(plan.reasons("hold")).containsExactly("legal hold");
        assertThat(plan.reasons("locked")).containsExactly("object lock until 2027-01-01T00:00:00Z");
        assertThat(plan.reasons("verified")).containsExactly("newest verified backup");
        assertThat(plan.reasons("deploy")).containsExactly("tagged pre-deploy");
        assertThat(plan.removed()).extracting(BackupInfo::id).containsExactly("lock-expired", "older-verified", "plain");
        assertThat(plan.bytesFreed()).isEqualTo(5);
        assertThat(plan.reasons("plain")).isEmpty();
        assertThatThrownBy(() -> plan.reasons("nope")).isInstanceOf(BackupException.class)
                .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND);
    }

    @Test
    void keepTaggedWithCommasNeedsAllTagsOfTheList() {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        List<BackupInfo> history = List.of(
                BackupInfo.of("n", now),
                BackupInfo.of("ab", now.minusSeconds(1), Set.of("a", "b")),
                BackupInfo.of("a", now.minusSeconds(2), Set.of("a")),
                BackupInfo.of("c", now.minusSeconds(3), Set.of("c")));
        RetentionPlan plan = RetentionPolicy.builder().keepTagged("a,b", "c").build().plan(history, now);
        assertThat(plan.kept()).extracting(BackupInfo::id).containsExactly("n", "ab", "c");
        assertThat(plan.reasons("ab")).containsExactly("tagged a,b");
    }

    @Test
    void futureDatedBackupsDoNotMoveTheWithinWindow() {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        List<BackupInfo> history = List.of(
                BackupInfo.of("future", now.plus(Duration.ofDays(365))),
                BackupInfo.of("today", now.minus(Duration.ofHours(1))),
                BackupInfo.of("yesterday", now.minus(Duration.ofHours(20))),
                BackupInfo.of("last-week", now.minus(Duration.ofDays(8))));
        RetentionPlan plan = RetentionPolicy.builder().keepWithin(Duration.ofDays(1)).build().plan(history, now);
        assertThat(plan.kept()).extracting(BackupInfo::id).containsExactly("future", "today", "yesterday");
    }

    @Test
    void anEmptyHistoryGivesAnEmptyPlanAndDuplicateIdsAreRefused() {
        assertThat(GFS.plan(List.of(), Instant.EPOCH).kept()).isEmpty();
        Instant t = Instant.parse("2026-11-26T12:00:00Z");
        assertThatThrownBy(() -> GFS.plan(List.of(BackupInfo.of("x", t), BackupInfo.of("x", t.minusSeconds(1))), t))
                .isInstanceOf(BackupException.class).hasMessageContaining("x appears twice");
    }

    @Test
    void theDryRunTableShowsEveryBackupWithActionReasonsAndSize() {
        List<BackupInfo> history = dailyAt0200(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 11, 26));
        RetentionPlan plan = RetentionPolicy.builder().keepDaily(3).keepWeekly(1).build()
                .plan(history, Instant.parse("2026-11-26T03:00:00Z"));
        String table = plan.toTable();
        String[] lines = table.split("\n");
        assertThat(lines).hasSize(1 + 7 + 1);
        assertThat(lines[0]).startsWith("ID").contains("TIME", "ACTION", "REASONS", "SIZE");
        assertThat(lines[1]).startsWith("20261126T020000Z").contains("keep", "daily 2026-11-26, weekly 2026-W48, newest backup", "976.6 KiB");
        assertThat(lines[4]).startsWith("20261123T020000Z").contains("remove");
        // fixed width: every row as long as the header
        for (int i = 1; i <= 7; i++) {
            assertThat(lines[i]).hasSameSizeAs(lines[0]);
        }
        assertThat(lines[8]).startsWith("3 kept, 4 removed, 3.8 MiB freed; keep 3 daily, 1 weekly (zone UTC)");
    }

    @Test
    void backupInfoFromAManifestTakesIdTimeTagsAndStoredBytes() {
        com.eazepay.backup.Manifest m = new com.eazepay.backup.Manifest(1, "20261124T020000Z-k3f9qa", "postgres", "postgres",
                "manual", Set.of("pre-deploy"), Map.of(), null, Instant.parse("2026-11-24T02:00:00Z"),
                Instant.parse("2026-11-24T02:05:00Z"), null, "dev", null, null,
                List.of(new com.eazepay.backup.Manifest.StreamInfo("db", "db.pgdump.zst", "pgdump", 42, "00", 100)), null);
        BackupInfo b = BackupInfo.of(m);
        assertThat(b.id()).isEqualTo("20261124T020000Z-k3f9qa");
        assertThat(b.time()).isEqualTo(Instant.parse("2026-11-24T02:00:00Z"));
        assertThat(b.tags()).containsExactly("pre-deploy");
        assertThat(b.storedBytes()).isEqualTo(42);
    }
}
