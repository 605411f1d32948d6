package com.eazepay.backup;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleTest {

    static final Instant T = Instant.parse("2026-11-24T01:59:00Z");

    @Test
    void cronSlotsAreEvaluatedInUtcByDefault() {
        Schedule daily = Schedule.cron("0 2 * * *");
        assertThat(daily.slotAtOrBefore(T)).contains(Instant.parse("2026-11-23T02:00:00Z"));
        assertThat(daily.slotAtOrBefore(Instant.parse("2026-11-24T02:00:00Z"))).contains(Instant.parse("2026-11-24T02:00:00Z"));
        assertThat(daily.slotAfter(Instant.parse("2026-11-24T02:00:00Z"))).isEqualTo(Instant.parse("2026-11-25T02:00:00Z"));
        assertThat(daily.interval()).isEqualTo(Duration.ofDays(1));
        assertThat(Schedule.cron("0 2 * * 1").interval()).isEqualTo(Duration.ofDays(7));
        assertThat(daily.toString()).isEqualTo("cron \"0 2 * * *\" Z");
    }

    @Test
    void cronInAZoneFollowsThatZone() {
        Schedule berlin = Schedule.cron("0 3 * * *").inZone(ZoneId.of("Europe/Berlin"));
        // 03:00 CET in November is 02:00 UTC
        assertThat(berlin.slotAfter(T)).isEqualTo(Instant.parse("2026-11-24T02:00:00Z"));
        // across the spring change the gap is 23 hours, across the autumn change 25
        assertThat(berlin.interval()).isEqualTo(Duration.ofHours(25));
    }

    @Test
    void everyIsAlignedToTheEpoch() {
        Schedule six = Schedule.every(Duration.ofHours(6));
        assertThat(six.slotAtOrBefore(T)).contains(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(six.slotAfter(T)).isEqualTo(Instant.parse("2026-11-24T06:00:00Z"));
        assertThat(six.impliedRpo()).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void jitterIsTheSameInEveryReplicaAndWithinItsBound() {
        Instant slot = Instant.parse("2026-11-24T06:00:00Z");
        Schedule a = Schedule.every(Duration.ofHours(6)).withJitter(Duration.ofMinutes(10));
        Schedule b = Schedule.every(Duration.ofHours(6)).withJitter(Duration.ofMinutes(10));
        for (int i = 0; i < 50; i++) {
            Instant s = slot.plus(Duration.ofHours(6L * i));
            Instant due = a.dueAt("backup-redis", s);
            assertThat(b.dueAt("backup-redis", s)).isEqualTo(due);
            assertThat(due).isBetween(s, s.plus(Duration.ofMinutes(10)).minusMillis(1));
        }
        assertThat(a.dueAt("backup-redis", slot)).isNotEqualTo(a.dueAt("backup-mongo", slot)); // per job (holds for these names)
        assertThat(a.impliedRpo()).isEqualTo(Duration.ofHours(6).plusMinutes(10));
    }

    @Test
    void badSchedulesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Schedule.cron("0 2 * *")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid cron expression '0 2 * *'");
        assertThatThrownBy(() -> Schedule.every(Duration.ofSeconds(5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least PT1M");
        assertThatThrownBy(() -> Schedule.every(Duration.ofHours(1)).withJitter(Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Schedule.every(Duration.ofHours(1)).inZone(ZoneId.of("UTC")))
                .isInstanceOf(IllegalStateException.class);
    }
}
