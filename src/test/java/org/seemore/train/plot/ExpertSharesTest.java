package org.seemore.train.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExpertSharesTest {

    /** Top-2 assignment counts (each row sums to 2) with seeded noise; {@code collapsed} gets none after {@code from}. */
    static List<double[][]> topTwoLoads(int entries, int experts, int collapsed, int from) {
        Random random = new Random(3);
        List<double[][]> loads = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            double[] weights = new double[experts];
            double sum = 0;
            for (int e = 0; e < experts; e++) {
                weights[e] = e == collapsed && i >= from ? 0 : 0.5 + random.nextDouble();
                sum += weights[e];
            }
            for (int e = 0; e < experts; e++) weights[e] *= 2 / sum;
            loads.add(new double[][] {weights});
        }
        return loads;
    }

    static List<Long> steps(int entries) {
        List<Long> steps = new ArrayList<>();
        for (int i = 1; i <= entries; i++) steps.add((long) i);
        return steps;
    }

    @Test
    void sharesOfEveryPointSumToOneWhateverTheLoadsSumTo() {
        ExpertShares shares = ExpertShares.of(steps(1000), topTwoLoads(1000, 8, -1, 0), 0, 150);
        assertThat(shares.points()).isBetween(100, 150);
        for (double[] point : shares.shares()) {
            assertThat(Arrays.stream(point).sum()).isCloseTo(1.0, within(1e-12));
            for (double share : point) assertThat(share).isBetween(0.0, 1.0);
        }
    }

    @Test
    void aCollapsedExpertHasAShareOfZeroOnceItsWindowsHoldOnlyCollapsedSteps() {
        ExpertShares shares = ExpertShares.of(steps(5000), topTwoLoads(5000, 8, 5, 2000), 0, 150);
        double[][] points = shares.shares();
        double balanced = 1.0 / 8;
        assertThat(points[0][5]).as("before the collapse").isCloseTo(balanced, within(0.03));
        assertThat(points[points.length - 1][5]).as("after the collapse").isZero();
        assertThat(points[points.length - 1][4]).as("the others share its tokens").isCloseTo(1.0 / 7, within(0.03));
        int firstZero = 0;
        while (points[firstZero][5] > 0) firstZero++;
        assertThat(shares.steps()[firstZero]).as("first all-collapsed window").isBetween(2000.0, 2000.0 + shares.window());
    }

    @Test
    void windowsAreMeansOfConsecutiveSteps() {
        List<double[][]> loads = List.of(
                new double[][] {{1, 1}}, new double[][] {{3, 1}},
                new double[][] {{0, 2}}, new double[][] {{1, 0}},
                new double[][] {{1, 3}});
        ExpertShares shares = ExpertShares.of(List.of(10L, 20L, 30L, 40L, 50L), loads, 0, 3);
        assertThat(shares.window()).isEqualTo(2);
        assertThat(shares.steps()).containsExactly(15, 35, 50);
        assertThat(shares.shares()[0]).containsExactly((0.5 + 0.75) / 2, (0.5 + 0.25) / 2);
        assertThat(shares.shares()[1]).containsExactly(0.5, 0.5);
        assertThat(shares.shares()[2]).as("a short last window").containsExactly(0.25, 0.75);
    }

    @Test
    void windowKeepsThePointsWithinTheLimit() {
        assertThat(ExpertShares.window(100, 150)).isEqualTo(1);
        assertThat(ExpertShares.window(150, 150)).isEqualTo(1);
        assertThat(ExpertShares.window(151, 150)).isEqualTo(2);
        assertThat(ExpertShares.window(5000, 150)).isEqualTo(34);
        assertThat(ExpertShares.window(0, 150)).isEqualTo(1);
        assertThat(ExpertShares.of(steps(5000), topTwoLoads(5000, 4, -1, 0), 0, 150).points()).isEqualTo(148);
    }

    @Test
    void stepsWithNonFiniteNegativeOrNoLoadAreLeftOut() {
        List<double[][]> loads = List.of(
                new double[][] {{Double.NaN, 1}}, new double[][] {{1, 3}},
                new double[][] {{0, 0}}, new double[][] {{-1, 2}},
                new double[][] {{2, 2}}, new double[][] {{1, Double.POSITIVE_INFINITY}});
        ExpertShares shares = ExpertShares.of(List.of(1L, 2L, 3L, 4L, 5L, 6L), loads, 0, 3);
        assertThat(shares.steps()).as("the middle window has no usable step").containsExactly(2, 5);
        assertThat(shares.shares()[0]).containsExactly(0.25, 0.75);
        assertThat(shares.shares()[1]).containsExactly(0.5, 0.5);
    }

    @Test
    void eachLayerIsReadFromItsOwnRow() {
        List<double[][]> loads = List.<double[][]>of(new double[][] {{1, 0}, {0, 4}});
        assertThat(ExpertShares.of(List.of(7L), loads, 0, 150).shares()[0]).containsExactly(1, 0);
        assertThat(ExpertShares.of(List.of(7L), loads, 1, 150).shares()[0]).containsExactly(0, 1);
        assertThat(ExpertShares.of(List.of(), List.of(), 0, 150).points()).isZero();
    }
}
