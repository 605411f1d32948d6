package com.eazepay.backup.test;

import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.retention.RetentionPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static com.eazepay.backup.test.RetentionAssertions.assertThatPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionAssertionsTest {

    private static final Instant FROM = Instant.parse("2026-01-01T02:00:00Z");
    private static final RetentionPolicy WEEK = RetentionPolicy.builder().keepDaily(7).build();

    @Test
    void dailyBackupsAreOnePerDayOldestFirstWithTimeSortedIds() {
        List<BackupInfo> history = RetentionAssertions.dailyBackups(FROM, 3);
        assertThat(history).extracting(BackupInfo::id)
                .containsExactly("20260101T020000Z-000000", "20260102T020000Z-000001", "20260103T020000Z-000002");
        assertThat(history.get(2).time()).isEqualTo(Instant.parse("2026-01-03T02:00:00Z"));
        assertThat(RetentionAssertions.backupsEvery(Duration.ofHours(6), FROM, 5)).hasSize(5)
                .last().extracting(BackupInfo::time).isEqualTo(Instant.parse("2026-01-02T02:00:00Z"));
    }

    @Test
    void passingAssertionsChain() {
        List<BackupInfo> history = RetentionAssertions.dailyBackups(FROM, 30);
        assertThatPolicy(WEEK).over(history).at(Instant.parse("2026-01-30T03:00:00Z"))
                .keeps(7).removes(23)
                .keepsIds("20260130T020000Z-000029", "20260124T020000Z-000023")
                .removesIds("20260123T020000Z-000022")
                .removesNothingNewerThan(Instant.parse("2026-01-24T00:00:00Z"))
                .keepsWithReason("20260130T020000Z-000029", "daily 2026-01-30")
                .keepsWithReason("20260130T020000Z-000029", "newest backup");
        assertThatPolicy(RetentionPolicy.builder().keepLast(2).build()).over(history.subList(0, 3)).at(FROM)
                .keepsExactlyIds("20260103T020000Z-000002", "20260102T020000Z-000001");
    }

    @Test
    void failingAssertionsSayWhatDifferedAndShowThePlan() {
        RetentionAssertions.PlanAssert plan = assertThatPolicy(WEEK).over(RetentionAssertions.dailyBackups(FROM, 10))
                .at(Instant.parse("2026-01-10T03:00:00Z"));
        assertThatThrownBy(() -> plan.keeps(8)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 8 backups kept but 7 are").hasMessageContaining("ACTION");
        assertThatThrownBy(() -> plan.keepsIds("20260101T020000Z-000000")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("not kept: [20260101T020000Z-000000]");
        assertThatThrownBy(() -> plan.removesNothingNewerThan(Instant.parse("2026-01-02T00:00:00Z")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("removed [20260103T020000Z-000002, 20260102T020000Z-000001]");
        assertThatThrownBy(() -> plan.removesIds("20260110T020000Z-000009", "nope")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("[20260110T020000Z-000009] are kept").hasMessageContaining("[nope] are not in the history");
        assertThatThrownBy(() -> plan.keepsExactlyIds("20260110T020000Z-000009")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("unexpectedly kept [20260109T020000Z-000008");
        assertThatThrownBy(() -> plan.keepsWithReason("20260110T020000Z-000009", "weekly 2026-W02"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("its reasons are [daily 2026-01-10, newest backup]");
        assertThat(plan.plan().kept()).hasSize(7);
    }

    @Test
    void misuseIsReported() {
        assertThatThrownBy(() -> assertThatPolicy(WEEK).at(FROM)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RetentionAssertions.backupsEvery(Duration.ZERO, FROM, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDocsExampleHolds() {
        RetentionPolicy gfs = RetentionPolicy.builder().keepDaily(30).keepWeekly(12).keepMonthly(12).keepYearly(7).build();
        List<BackupInfo> history = RetentionAssertions.dailyBackups(Instant.parse("2019-01-01T02:00:00Z"), 8 * 365);
        // last backup 2026-12-29: 30 days + 7 Sundays (W42-W48) + 10 month ends (Jan-Oct 2026) + 6 year ends (2020-2025)
        assertThatPolicy(gfs).over(history).at(Instant.parse("2026-12-31T03:00:00Z"))
                .keeps(53)
                .removesNothingNewerThan(Instant.parse("2026-11-30T00:00:00Z"))
                .keepsWithReason(RetentionAssertions.idOf(Instant.parse("2025-12-31T02:00:00Z"), 2556), "yearly 2025");
    }
}
