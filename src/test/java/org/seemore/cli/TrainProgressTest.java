package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seemore.train.Evaluator;
import org.seemore.train.Trainer;

class TrainProgressTest {
    private static final long SECOND = 1_000_000_000L;

    static Evaluator.Result evaluation(double loss, double exactMatch) {
        return new Evaluator.Result(loss, exactMatch, 0.01, 200, List.of());
    }

    @ParameterizedTest
    @CsvSource({"600, 100", "5000, 100", "5000, 80", "123456, 100", "1, 100"})
    void everyLineOfARunHasTheSameWidth(long max, int width) {
        List<OptionalDouble> rates = List.of(OptionalDouble.empty(), OptionalDouble.of(0.004), OptionalDouble.of(0.31),
                OptionalDouble.of(3.2), OptionalDouble.of(45.67), OptionalDouble.of(999.9), OptionalDouble.of(123456));
        List<OptionalDouble> losses = new ArrayList<>();
        losses.add(OptionalDouble.empty());
        for (double loss : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0, 1e-5, 0.5, 3.2638, 12.34567, 123.4, -0.25, 1e7, 1e300}) {
            losses.add(OptionalDouble.of(loss));
        }
        List<Evaluator.Result> evaluations = new ArrayList<>();
        evaluations.add(null);
        evaluations.add(evaluation(0.1121, 0.02));
        evaluations.add(evaluation(12.5, 1.0));
        evaluations.add(evaluation(Double.NaN, 0));
        Set<Integer> lengths = new HashSet<>();
        int broken = 0;
        for (long step : new long[] {0, 1, 9, 10, 99, max / 2, max - 1, max}) {
            for (OptionalDouble rate : rates) {
                for (OptionalDouble loss : losses) {
                    for (Evaluator.Result evaluation : evaluations) {
                        String line = TrainProgress.line(Math.min(step, max), max, rate, loss, evaluation, width);
                        lengths.add(line.length());
                        if (line.contains("\n") || line.contains("\r")) broken++;
                    }
                }
            }
        }
        assertThat(lengths).as("line lengths for %d steps", max).containsExactly(width);
        assertThat(broken).as("lines with a line break").isZero();
    }

    @Test
    void aLineShowsProgressSpeedEtaLossAndTheLastEvaluation() {
        String line = TrainProgress.line(2250, 5000, OptionalDouble.of(11.46), OptionalDouble.of(0.12346),
                evaluation(0.1121, 0.98), 100);
        // 100 columns less the 73 of the text and 8 of the percentage and brackets: a bar of 19, 45% of it done.
        assertThat(line).isEqualTo(" 45% [========>          ] 2250/5000  ETA  0:04:00  11.5 steps/s  loss 0.1235  val 0.1121 exact  98%");
        assertThat(TrainProgress.line(5000, 5000, OptionalDouble.of(11.46), OptionalDouble.of(0.1), null, 100))
                .startsWith("100% [" + "=".repeat(19) + "] 5000/5000  ETA  0:00:00");
        assertThat(TrainProgress.line(100, 600, OptionalDouble.of(2), OptionalDouble.of(0.1), null, 200))
                .as("a wide console").contains("[" + "=".repeat(5) + ">" + " ".repeat(TrainProgress.MAX_BAR - 6) + "]");
    }

    @Test
    void beforeTheWarmUpTheEtaAndSpeedAreDashes() {
        String line = TrainProgress.line(1, 600, OptionalDouble.empty(), OptionalDouble.of(3.2638), null, 100);
        assertThat(line).contains("  1/600  ETA  -:--:--     - steps/s  loss 3.2638");
        assertThat(TrainProgress.line(0, 600, OptionalDouble.empty(), OptionalDouble.empty(), null, 100))
                .startsWith("  0% [" + " ".repeat(21) + "]").contains("loss      -");
    }

    @Test
    void theFirstColdStepGivesNoEtaAndTheEtaComesFromTheWarmSpeed() {
        AtomicLong now = new AtomicLong();
        try (TrainProgress progress = new TrainProgress(600, now::get)) {
            now.set(13 * SECOND);
            progress.onStep(metrics(1, 3.26));
            assertThat(progress.line(1, 600, 100)).contains("ETA  -:--:--");
            long step = 1;
            while (now.get() < 13 * SECOND + (long) (StepRate.WARMUP_SECONDS * SECOND)) {
                now.addAndGet(SECOND / 4);
                progress.onStep(metrics(++step, 2.0));
                if (step <= 1 + StepRate.WARMUP_STEPS) assertThat(progress.line(step, 600, 100)).contains("ETA  -:--:--");
            }
            assertThat(progress.line(step, 600, 100)).as("4 steps/s, %d steps left", 600 - step)
                    .contains("ETA  " + TrainProgress.duration((600 - step) / 4.0)).contains("4.00 steps/s").contains("loss 2.0000");
            progress.onEvaluation(step, evaluation(0.5, 0.25));
            assertThat(progress.line(step, 600, 100)).contains("val 0.5000 exact  25%");
            assertThat(progress.currentLine(100)).contains(step + "/600");
        }
    }

    static Trainer.StepMetrics metrics(long step, double loss) {
        return new Trainer.StepMetrics(step, loss, loss, 0, 1e-3, 1, 1000, new double[][] {{0.5, 0.5}});
    }

    @Test
    void durationsAreHoursMinutesSeconds() {
        assertThat(TrainProgress.duration(0)).isEqualTo("0:00:00");
        assertThat(TrainProgress.duration(59.6)).isEqualTo("0:01:00");
        assertThat(TrainProgress.duration(25056)).isEqualTo("6:57:36");
        assertThat(TrainProgress.duration(99 * 3600 + 3599)).isEqualTo("99:59:59");
        assertThat(TrainProgress.duration(100 * 3600)).isEqualTo(">99h");
        assertThat(TrainProgress.duration(Double.NaN)).isEqualTo("-:--:--");
    }

    @Test
    void numbersFitTheirWidth() {
        assertThat(TrainProgress.number(3.26381, 6)).isEqualTo("3.2638");
        assertThat(TrainProgress.number(12.34567, 6)).isEqualTo("12.346");
        assertThat(TrainProgress.number(1234.5, 4)).isEqualTo("1235");
        assertThat(TrainProgress.number(0.31, 4)).isEqualTo("0.31");
        assertThat(TrainProgress.number(123456, 4)).isEqualTo(" 1e5");
        assertThat(TrainProgress.number(Double.NaN, 6)).isEqualTo("   NaN");
    }
}
