package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StepRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void noRateUntilEnoughStepsAndSecondsHavePassedAfterTheFirst() {
        StepRate rate = new StepRate();
        assertThat(rate.stepsPerSecond()).isEmpty();
        rate.record(1, 13 * SECOND); // a JIT-cold first step that ended 13 s after the start
        for (int step = 2; step <= 1 + StepRate.WARMUP_STEPS; step++) {
            assertThat(rate.stepsPerSecond()).as("after step %d", step - 1).isEmpty();
            rate.record(step, 13 * SECOND + (step - 1) * SECOND / 10);
        }
        assertThat(rate.stepsPerSecond()).as("enough steps, but only 0.5 s").isEmpty();
        long t = 13 * SECOND + StepRate.WARMUP_STEPS * SECOND / 10;
        long step = 1 + StepRate.WARMUP_STEPS;
        while (t - 13 * SECOND < StepRate.WARMUP_SECONDS * SECOND) {
            t += SECOND / 10;
            rate.record(++step, t);
        }
        assertThat(rate.stepsPerSecond()).isPresent();
        assertThat(rate.stepsPerSecond().getAsDouble()).as("10 steps/s, the cold first step left out").isCloseTo(10.0, within(1e-9));
    }

    @Test
    void theRateFollowsTheRecentSpeed() {
        StepRate rate = new StepRate();
        long t = 0;
        long step = 0;
        for (; step < 100; step++) rate.record(step + 1, t += SECOND); // 1 step/s for 100 s
        assertThat(rate.stepsPerSecond().getAsDouble()).isCloseTo(1.0, within(1e-9));
        for (int i = 0; i < 1000; i++) rate.record(++step, t += SECOND / 4); // then 4 steps/s for 250 s
        assertThat(rate.stepsPerSecond().getAsDouble()).as("the slow minute has left the window").isCloseTo(4.0, within(1e-9));
    }

    @Test
    void earlySlowStepsStopCountingOnceTheyAreInTheFirstHalfOfTheRun() {
        StepRate rate = new StepRate();
        long t = 0;
        long step = 0;
        for (int i = 0; i < 6; i++) rate.record(++step, t += SECOND); // JIT still compiling: 1 s a step
        for (int i = 0; i < 100; i++) rate.record(++step, t += SECOND / 10); // then 10 steps/s for 10 s
        assertThat(rate.stepsPerSecond().getAsDouble()).as("over the last 7.5 s only").isCloseTo(10.0, within(1e-9));
    }

    @Test
    void aPauseMovesTheRateOnlyWhileItIsInTheWindow() {
        StepRate rate = new StepRate();
        long t = 0;
        long step = 0;
        for (int i = 0; i < 200; i++) rate.record(++step, t += SECOND / 2);
        rate.record(++step, t += 30 * SECOND); // an evaluation
        assertThat(rate.stepsPerSecond().getAsDouble()).isLessThan(1.5);
        for (int i = 0; i < 200; i++) rate.record(++step, t += SECOND / 2);
        assertThat(rate.stepsPerSecond().getAsDouble()).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void manyFastStepsKeepABoundedWindow() {
        StepRate rate = new StepRate();
        long t = 0;
        for (int step = 1; step <= 10 * StepRate.MAX_SAMPLES; step++) rate.record(step, t += SECOND / 1000);
        assertThat(rate.stepsPerSecond().getAsDouble()).isCloseTo(1000.0, within(1e-6));
    }
}
