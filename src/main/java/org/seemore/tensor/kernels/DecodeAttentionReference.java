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

    /**
     * As {@link DecodeAttention#attendGroup}: {@code group} queries over one kv head's positions, the
     * positions with {@code keyMask[mo + j] == 0} left out (null: none), the mean of the values for a
     * query that sees none.
     */
    public static void attendGroup(float[] q, int qo, int group, float[] keys, int ko, float[] values, int vo,
                                   int length, int hd, float scale, int[] keyMask, int mo, float[] y, int yo) {
        for (int g = 0; g < group; g++) {
            double[] p = new double[length];
            double max = Double.NEGATIVE_INFINITY, total = 0;
            for (int j = 0; j < length; j++) {
                if (keyMask != null && keyMask[mo + j] == 0) continue;
                double s = 0;
                for (int d = 0; d < hd; d++) s += (double) q[qo + g * hd + d] * keys[ko + j * hd + d];
                p[j] = s * scale;
                max = Math.max(max, p[j]);
            }
            for (int j = 0; j < length; j++) {
                boolean seen = keyMask == null || keyMask[mo + j] != 0;
                p[j] = max == Double.NEGATIVE_INFINITY ? 1 : seen ? Math.exp(p[j] - max) : 0;
                total += p[j];
            }
            for (int d = 0; d < hd; d++) {
                double sum = 0;
                for (int j = 0; j < length; j++) sum += p[j] / total * values[vo + j * hd + d];
                y[yo + g * hd + d] = (float) sum;
            }
        }
    }
}
