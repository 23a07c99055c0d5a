package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * The fused AdamW update of one parameter (Loshchilov &amp; Hutter 2019, as PyTorch computes it):
 * both moments, the bias-corrected step and the decoupled decay in one pass, split over the
 * {@link Parallel} pool when large. The vector loop performs the scalar loop's float operations in
 * the same order (no FMA), so every element gets the bits of {@link AdamWKernelReference}'s loop,
 * on any number of threads.
 */
public final class AdamWKernel {
    /** Elements below which the update stays on the calling thread. */
    static final int PARALLEL_MIN = 1 << 16;

    private AdamWKernel() {}

    /**
     * For j in [0, n): {@code m = b1·m + (1-b1)·g}, {@code v = b2·v + (1-b2)·g·g}, then
     * {@code w[off + j] = w·decay - stepSize·m / (sqrt(v)·invSqrtBc2 + eps)}; g, m and v from 0.
     */
    public static void update(float[] w, int off, float[] g, float[] m, float[] v, int n,
                              float b1, float b2, float decay, float stepSize, float invSqrtBc2, float eps) {
        Parallel.parallelRange(n, PARALLEL_MIN, (from, to) -> range(w, off, g, m, v, from, to, b1, b2, decay, stepSize, invSqrtBc2, eps));
    }

    /** The update of elements [from, to). */
    private static void range(float[] w, int off, float[] g, float[] m, float[] v, int from, int to,
                              float b1, float b2, float decay, float stepSize, float invSqrtBc2, float eps) {
        int j = from;
        for (int bound = from + SPECIES.loopBound(to - from); j < bound; j += LANES) {
            FloatVector gj = FloatVector.fromArray(SPECIES, g, j);
            FloatVector mj = FloatVector.fromArray(SPECIES, m, j).mul(b1).add(gj.mul(1 - b1));
            FloatVector vj = FloatVector.fromArray(SPECIES, v, j).mul(b2).add(gj.mul(1 - b2).mul(gj));
            mj.intoArray(m, j);
            vj.intoArray(v, j);
            FloatVector denom = vj.sqrt().mul(invSqrtBc2).add(eps);
            FloatVector wj = FloatVector.fromArray(SPECIES, w, off + j);
            wj.mul(decay).sub(mj.mul(stepSize).div(denom)).intoArray(w, off + j);
        }
        for (; j < to; j++) {
            float gj = g[j];
            float mj = b1 * m[j] + (1 - b1) * gj;
            float vj = b2 * v[j] + (1 - b2) * gj * gj;
            m[j] = mj;
            v[j] = vj;
            float denom = (float) Math.sqrt(vj) * invSqrtBc2 + eps;
            w[off + j] = w[off + j] * decay - stepSize * mj / denom;
        }
    }
}
