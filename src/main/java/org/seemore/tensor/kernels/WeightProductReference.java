package org.seemore.tensor.kernels;

/**
 * The plain loop {@link WeightProduct} is tested against: each output one dot product over W's row
 * (bfloat16 widened by {@link WidenReference#bf16}), accumulated in double.
 */
public final class WeightProductReference {
    private WeightProductReference() {}

    /** The {@link WeightProduct#multiplyRows} contract. */
    public static void multiplyRows(WeightMatrix w, int r0, int r1, float[] x, int xo, int ldx, int m, float[] bias, float[] y, int yo, int ldy) {
        int cols = w.cols();
        for (int i = 0; i < m; i++) {
            for (int r = r0; r < r1; r++) {
                double sum = bias == null ? 0 : bias[r];
                for (int p = 0; p < cols; p++) sum += (double) weight(w, r, p) * x[xo + i * ldx + p];
                y[yo + i * ldy + r] = (float) sum;
            }
        }
    }

    private static float weight(WeightMatrix w, int r, int p) {
        return switch (w) {
            case WeightMatrix.F32 f -> f.values()[f.offset() + r * f.cols() + p];
            case WeightMatrix.Bf16 b -> WidenReference.bf16(b.bits()[r * b.cols() + p]);
            case WeightMatrix.Bf16Panels b -> WidenReference.bf16(b.bits()[b.index(r, p)]);
        };
    }
}
