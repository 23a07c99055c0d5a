package org.seemore.train.plot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogLossAxisTest {
    @Test
    void ticksAreOneTwoFiveWithinAFewDecades() {
        assertThat(LogLossAxis.tickValues(0.02, 6.0)).containsExactly(0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0);
    }

    @Test
    void ticksArePowersOfTenOverWideRanges() {
        assertThat(LogLossAxis.tickValues(0.0005, 2000.0)).containsExactly(0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0);
        assertThat(LogLossAxis.tickValues(1e-12, 1e4)).as("every other decade beyond 8").hasSize(9);
    }

    @Test
    void degenerateRangesHaveNoTicks() {
        assertThat(LogLossAxis.tickValues(0.0, 1.0)).isEmpty();
        assertThat(LogLossAxis.tickValues(2.0, 2.0)).isEmpty();
    }

    @Test
    void labelsArePlainDecimalsUnlessTiny() {
        assertThat(LogLossAxis.label(0.05)).isEqualTo("0.05");
        assertThat(LogLossAxis.label(0.1 + 0.2)).isEqualTo("0.3");
        assertThat(LogLossAxis.label(2.0)).isEqualTo("2");
        assertThat(LogLossAxis.label(1000.0)).isEqualTo("1000");
        assertThat(LogLossAxis.label(1e-5)).isEqualTo("1e-5");
        assertThat(LogLossAxis.label(2.5e-7)).isEqualTo("2.5e-7");
        assertThat(LogLossAxis.label(3e8)).isEqualTo("3e8");
    }
}
