package com.eazepay.backup.spi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundTest {

    @Test
    void eachBoundHoldsExactlyInsideItsRangeIncludingTheEnds() {
        assertThat(Bound.atLeast(1).test(0)).isFalse();
        assertThat(Bound.atLeast(1).test(1)).isTrue();
        assertThat(Bound.atLeast(1).test(Long.MAX_VALUE)).isTrue();
        assertThat(Bound.atMost(5).test(5)).isTrue();
        assertThat(Bound.atMost(5).test(6)).isFalse();
        assertThat(Bound.atMost(5).test(Long.MIN_VALUE)).isTrue();
        assertThat(Bound.exactly(0).test(0)).isTrue();
        assertThat(Bound.exactly(0).test(1)).isFalse();
        assertThat(Bound.exactly(0).test(-1)).isFalse();
        assertThat(Bound.between(2, 4).test(1)).isFalse();
        assertThat(Bound.between(2, 4).test(2)).isTrue();
        assertThat(Bound.between(2, 4).test(4)).isTrue();
        assertThat(Bound.between(2, 4).test(5)).isFalse();
    }

    @Test
    void boundsDescribeThemselvesTheSameWayInEveryModule() {
        assertThat(Bound.atLeast(1).describe()).isEqualTo(">= 1");
        assertThat(Bound.atMost(5).describe()).isEqualTo("<= 5");
        assertThat(Bound.exactly(0).describe()).isEqualTo("= 0");
        assertThat(Bound.between(2, 4).describe()).isEqualTo("between 2 and 4");
        assertThat(Bound.exactly(3).expectation()).isEqualTo("expected = 3");
    }

    @Test
    void anEmptyRangeIsRefused() {
        assertThatThrownBy(() -> Bound.between(5, 4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 > max 4");
    }
}
