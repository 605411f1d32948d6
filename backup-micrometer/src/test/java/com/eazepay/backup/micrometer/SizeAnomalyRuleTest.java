package com.eazepay.backup.micrometer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizeAnomalyRuleTest {

    final SizeAnomalyRule rule = SizeAnomalyRule.defaults();

    @Test
    void defaultsAreFourteenSizesFiftyPercentAndThreeSamples() {
        assertThat(rule).isEqualTo(new SizeAnomalyRule(14, 0.5, 3));
    }

    @Test
    void sizesInsideTheBandAroundTheMedianAreNotAnomalousAndTheEdgesAreInside() {
        List<Long> previous = List.of(100L, 110L, 90L);     // median 100: band 50..150
        assertThat(rule.isAnomalous(previous, 100)).isFalse();
        assertThat(rule.isAnomalous(previous, 50)).isFalse();
        assertThat(rule.isAnomalous(previous, 150)).isFalse();
    }

    @Test
    void sizesOutsideTheBandAreAnomalousInBothDirections() {
        List<Long> previous = List.of(100L, 110L, 90L);
        assertThat(rule.isAnomalous(previous, 49)).isTrue();
        assertThat(rule.isAnomalous(previous, 151)).isTrue();
        assertThat(rule.isAnomalous(previous, 0)).isTrue();
    }

    @Test
    void withFewerPreviousSizesThanMinSamplesNothingIsAnomalous() {
        assertThat(rule.isAnomalous(List.of(), 1_000_000)).isFalse();
        assertThat(rule.isAnomalous(List.of(100L, 100L), 1_000_000)).isFalse();
        assertThat(rule.isAnomalous(List.of(100L, 100L, 100L), 1_000_000)).isTrue();
    }

    @Test
    void onlyTheLastWindowSizesCountSoAGrowthOlderThanTheWindowIsTheNewNormal() {
        SizeAnomalyRule window3 = new SizeAnomalyRule(3, 0.5, 3);
        List<Long> previous = List.of(10L, 10L, 10L, 1000L, 1000L, 1000L);
        assertThat(window3.isAnomalous(previous, 1000)).isFalse();
        // a window of 14 still holds the old sizes: median 505, band 252.5..757.5
        assertThat(rule.isAnomalous(previous, 1000)).isTrue();
        assertThat(rule.isAnomalous(previous, 500)).isFalse();
        assertThat(window3.isAnomalous(previous, 10)).isTrue();
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwoWithoutOverflow() {
        assertThat(SizeAnomalyRule.median(List.of(4L, 1L, 3L, 2L))).isEqualTo(2.5);
        assertThat(SizeAnomalyRule.median(List.of(Long.MAX_VALUE, Long.MAX_VALUE))).isEqualTo((double) Long.MAX_VALUE);
        assertThat(SizeAnomalyRule.median(List.of(7L))).isEqualTo(7.0);
    }

    @Test
    void aBandOfOneOrMoreFlagsOnlyGrowth() {
        SizeAnomalyRule wide = new SizeAnomalyRule(14, 1.0, 3);
        List<Long> previous = List.of(100L, 100L, 100L);
        assertThat(wide.isAnomalous(previous, 1)).isFalse();
        assertThat(wide.isAnomalous(previous, 0)).isFalse();
        assertThat(wide.isAnomalous(previous, 201)).isTrue();
    }

    @Test
    void invalidSettingsAreRejectedNamingTheAllowedRange() {
        assertThatThrownBy(() -> new SizeAnomalyRule(0, 0.5, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window must be at least 1");
        assertThatThrownBy(() -> new SizeAnomalyRule(14, 0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("band must be a finite fraction above 0");
        assertThatThrownBy(() -> new SizeAnomalyRule(14, Double.NaN, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SizeAnomalyRule(14, Double.POSITIVE_INFINITY, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SizeAnomalyRule(3, 0.5, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minSamples must be in 1..3");
        assertThatThrownBy(() -> BackupMetrics.builder().sizeAnomaly(SizeAnomalyRule.defaults()).sizeAnomaly(SizeAnomalyRule.defaults()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    }
}
