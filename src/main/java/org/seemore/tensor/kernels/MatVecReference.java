package org.seemore.tensor.kernels;

/** The plain loop {@link MatVec} is tested against: each dot product accumulated in double, in order. */
public final class MatVecReference {
    private MatVecReference() {}

    /** The {@link MatVec#multiply} contract. */
    public static void multiply(float[] w, int wo, int rows, int cols, float[] x, int xo,
                                float[] bias, int bo, float[] y, int yo) {
        for (int r = 0; r < rows; r++) {
            double sum = bias == null ? 0 : bias[bo + r];
            for (int p = 0; p < cols; p++) sum += (double) w[wo + r * cols + p] * x[xo + p];
            y[yo + r] = (float) sum;
        }
    }
}
