package org.seemore.train.plot;

import java.util.ArrayList;
import java.util.List;

/**
 * What the expert-load chart draws for one MoE layer: each expert's share of the layer's routed
 * tokens, averaged over windows of consecutive logged steps. One step's shares are noisy (a batch
 * is a small sample), and thousands of steps are more points than a panel has pixels; means over
 * windows keep the drift and a collapse and drop the noise. Each step's loads are first divided by
 * their sum, so shares sum to 1 whatever the loads count (top-k assignments, fractions, tokens),
 * and so do the means.
 *
 * @param steps  the mean step of each window's counted steps, ascending
 * @param shares {@code shares[point][expert]}, each row summing to 1
 * @param window logged steps per window (the last window may hold fewer)
 */
record ExpertShares(double[] steps, double[][] shares, int window) {

    /** Points drawn per panel at most: about one per 3 pixels of a 440-pixel panel. */
    static final int MAX_POINTS = 150;

    int points() {
        return steps.length;
    }

    int experts() {
        return shares.length == 0 ? 0 : shares[0].length;
    }

    /** The window size that brings {@code entries} logged steps down to at most {@code maxPoints}. */
    static int window(int entries, int maxPoints) {
        return Math.max(1, (entries + maxPoints - 1) / maxPoints);
    }

    /**
     * The windowed shares of {@code layer}. A step whose loads for this layer are not all finite
     * and non-negative, or sum to zero, is left out (a diverged step routes nothing meaningful); a
     * window with no step left gives no point.
     *
     * @param load {@code load.get(i)[layer][expert]}, the load at {@code steps.get(i)}
     */
    static ExpertShares of(List<Long> steps, List<double[][]> load, int layer, int maxPoints) {
        int window = window(load.size(), maxPoints);
        int experts = load.isEmpty() ? 0 : load.getFirst()[layer].length;
        List<Double> meanSteps = new ArrayList<>();
        List<double[]> meanShares = new ArrayList<>();
        for (int start = 0; start < load.size(); start += window) {
            double[] sum = new double[experts];
            double stepSum = 0;
            int counted = 0;
            for (int i = start; i < Math.min(load.size(), start + window); i++) {
                double[] row = load.get(i)[layer];
                double total = total(row);
                if (!(total > 0)) continue;
                for (int e = 0; e < experts; e++) sum[e] += row[e] / total;
                stepSum += steps.get(i);
                counted++;
            }
            if (counted == 0) continue;
            for (int e = 0; e < experts; e++) sum[e] /= counted;
            meanSteps.add(stepSum / counted);
            meanShares.add(sum);
        }
        double[] x = meanSteps.stream().mapToDouble(Double::doubleValue).toArray();
        return new ExpertShares(x, meanShares.toArray(double[][]::new), window);
    }

    /** The sum of {@code row}, or NaN when an entry is negative or not finite. */
    private static double total(double[] row) {
        double total = 0;
        for (double v : row) {
            if (!Double.isFinite(v) || v < 0) return Double.NaN;
            total += v;
        }
        return total;
    }
}
