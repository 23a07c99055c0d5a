package org.seemore.tensor.kernels;

/**
 * The plain loops {@link VectorMath}'s row reductions and updates are tested against: one element
 * at a time, sums in double. ({@link VectorMath#exp} is tested against {@link Math#exp} itself.)
 */
public final class VectorMathReference {
    private VectorMathReference() {}

    /** Sum of {@code a[off .. off+n)}. */
    public static float sum(float[] a, int off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += a[off + i];
        return (float) sum;
    }

    /** Largest of {@code a[off .. off+n)}, n >= 1. */
    public static float max(float[] a, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, a[off + i]);
        return max;
    }

    /** Dot product of {@code a[ao ..]} and {@code b[bo ..]} over n values. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        double dot = 0;
        for (int i = 0; i < n; i++) dot += (double) a[ao + i] * b[bo + i];
        return (float) dot;
    }

    /** {@code y[yo + i] += x[xo + i]} for i in [0, n). */
    public static void addInto(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = (float) ((double) y[yo + i] + x[xo + i]);
    }

    /** {@code y[yo + i] += a * x[xo + i]} for i in [0, n). */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = (float) (y[yo + i] + (double) a * x[xo + i]);
    }

    /** {@code y[yo + i] += a * x[xo + i]} for i in [0, n), as {@link VectorMath#addScaled} (the product rounded first). */
    public static void addScaled(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = (float) (y[yo + i] + (double) (a * x[xo + i]));
    }
}
