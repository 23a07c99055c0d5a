package org.seemore.tensor.kernels;

/** The plain version {@link DecodeAttention} is tested against, on untransposed keys, in double. */
public final class DecodeAttentionReference {
    private DecodeAttentionReference() {}

    /** As {@link DecodeAttention#attend}, with keys stored one row per position: {@code keys[ko + j*hd + d]}. */
    public static void attend(float[] q, int qo, float[] keys, int ko, float[] values, int vo,
                              int length, int hd, float scale, float[] y, int yo) {
        double[] p = new double[length];
        double max = Double.NEGATIVE_INFINITY, total = 0;
        for (int j = 0; j < length; j++) {
            double s = 0;
            for (int d = 0; d < hd; d++) s += (double) q[qo + d] * keys[ko + j * hd + d];
            p[j] = s * scale;
            max = Math.max(max, p[j]);
        }
        for (int j = 0; j < length; j++) {
            p[j] = Math.exp(p[j] - max);
            total += p[j];
        }
        for (int d = 0; d < hd; d++) {
            double sum = 0;
            for (int j = 0; j < length; j++) sum += p[j] / total * values[vo + j * hd + d];
            y[yo + d] = (float) sum;
        }
    }
}
