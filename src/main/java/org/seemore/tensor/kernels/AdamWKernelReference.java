package org.seemore.tensor.kernels;

/** The plain per-element loop {@link AdamWKernel} is tested against, bit for bit. */
public final class AdamWKernelReference {
    private AdamWKernelReference() {}

    /** As {@link AdamWKernel#update}. */
    public static void update(float[] w, int off, float[] g, float[] m, float[] v, int n,
                              float b1, float b2, float decay, float stepSize, float invSqrtBc2, float eps) {
        for (int j = 0; j < n; j++) {
            m[j] = b1 * m[j] + (1 - b1) * g[j];
            v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
            w[off + j] = w[off + j] * decay - stepSize * m[j] / ((float) Math.sqrt(v[j]) * invSqrtBc2 + eps);
        }
    }
}
