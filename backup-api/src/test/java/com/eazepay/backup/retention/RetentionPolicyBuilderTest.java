package com.eazepay.backup.retention;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.retention.RetentionPolicy;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionPolicyBuilderTest {

    private static void assertInvalid(ThrowingCallable call, String messagePart) {
        assertThatThrownBy(call).isInstanceOf(BackupException.class).hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION));
    }

    @Test
    void anEmptyPolicyIsAConfigurationErrorNotDeleteEverything() {
        assertInvalid(() -> RetentionPolicy.builder().build(), "no rule");
        assertInvalid(() -> RetentionPolicy.builder().zone(ZoneId.of("Europe/Berlin")).build(), "no rule");
    }

    @Test
    void aRuleSetTwiceFailsAtOnce() {
        assertInvalid(() -> RetentionPolicy.builder().keepDaily(3).keepDaily(5), "keepDaily was already set to 3");
        assertInvalid(() -> RetentionPolicy.builder().keepWithin(Duration.ofDays(1)).keepWithin(Duration.ofDays(2)), "keepWithin was already set");
        assertInvalid(() -> RetentionPolicy.builder().keepWithinWeekly(Duration.ofDays(1)).keepWithinWeekly(Duration.ofDays(2)),
                "keepWithinWeekly was already set");
        assertInvalid(() -> RetentionPolicy.builder().keepTagged("a").keepTagged("b"), "keepTagged was already set");
        assertInvalid(() -> RetentionPolicy.builder().zone(ZoneId.of("UTC")).zone(ZoneId.of("UTC")), "zone was already set");
    }

    @Test
    void badValuesFailAtOnce() {
        assertInvalid(() -> RetentionPolicy.builder().keepLast(0), "keepLast(0) is invalid");
        assertInvalid(() -> RetentionPolicy.builder().keepYearly(-2), "keepYearly(-2) is invalid");
        assertInvalid(() -> RetentionPolicy.builder().keepWithin(Duration.ZERO), "positive duration");
        assertInvalid(() -> RetentionPolicy.builder().keepWithinDaily(Duration.ofHours(-1)), "positive duration");
        assertInvalid(() -> RetentionPolicy.builder().keepWithinHourly(null), "positive duration");
        assertInvalid(() -> RetentionPolicy.builder().keepTagged(), "at least one tag");
        assertInvalid(() -> RetentionPolicy.builder().keepTagged(" "), "must not be blank");
        assertInvalid(() -> RetentionPolicy.builder().keepTagged("a,,b"), "empty tag");
        assertInvalid(() -> RetentionPolicy.builder().zone(null), "zone(null)");
    }

    @Test
    void aBuiltPolicyDescribesItselfAndDefaultsToUtc() {
        RetentionPolicy p = RetentionPolicy.builder().keepDaily(30).keepWeekly(12).keepMonthly(12).keepYearly(7)
                .keepLast(RetentionPolicy.UNLIMITED).keepWithin(Duration.ofHours(36)).keepWithinHourly(Duration.ofMinutes(90))
                .keepTagged("pre-deploy").build();
        assertThat(p.zone()).isEqualTo(ZoneId.of("Z"));
        assertThat(p.keepDaily()).isEqualTo(30);
        assertThat(p.keepHourly()).isZero();
        assertThat(p.toString()).isEqualTo("keep all last, 30 daily, 12 weekly, 12 monthly, 7 yearly, "
                + "all within 1d12h of the newest, hourly within 1h30m of the newest, tagged pre-deploy (zone UTC)");
    }
}
