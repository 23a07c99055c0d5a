package org.seemore.tensor;

/** Scalar special functions the ops need and {@link Math} lacks. */
public final class MathF {
    private MathF() {}

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    /**
     * The complementary error function, with fractional error below 1.2e-7 everywhere
     * (Chebyshev-fitted exponential form, Numerical Recipes 2nd ed. §6.2, erfcc).
     */
    public static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2 - ans;
    }

    public static double erf(double x) {
        return 1 - erfc(x);
    }

    /** Standard normal CDF, {@code 0.5 * erfc(-x / sqrt 2)}, accurate in the tails too. */
    public static double normalCdf(double x) {
        return 0.5 * erfc(-x * INV_SQRT2);
    }

    public static double normalPdf(double x) {
        return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }
}
