package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embeddings in Hugging Face's "rotate half" layout: a head of width hd is two
 * halves {@code x1 = x[:hd/2]}, {@code x2 = x[hd/2:]}, and frequency i rotates the pair
 * {@code (x1[i], x2[i])} by the angle of its row's position:
 *
 * <pre>
 * x1' = x1·cos − x2·sin        (q·cos + rotate_half(q)·sin, rotate_half(q) = cat(−x2, x1))
 * x2' = x2·cos + x1·sin
 * </pre>
 *
 * Each product and the sum are rounded on their own (no FMA), as PyTorch's separate ops round
 * them. The backward is the transposed (inverse) rotation, the same loop with the sine negated.
 * Rows are vectorized along the half head and spread over the {@link Parallel} pool; a row's
 * values do not depend on the thread count. Checked through {@code Rope} against {@code RopeReference}.
 */
public final class RopeKernel {
    /** Elements below which a pass stays on the calling thread. */
    static final int PARALLEL_MIN = 1 << 15;

    private RopeKernel() {}

    /**
     * Rotates {@code rows} rows of {@code heads} heads of hd values (row r from {@code xo + r*heads*hd})
     * by the angles of {@code positions[r]}, into {@code out} (from 0; it may be x when xo is 0).
     * {@code cos} and {@code sin} hold hd/2 values per position ({@code [p * hd/2 + i]}); with
     * {@code transpose}, rotates the other way (the backward pass).
     */
    public static void rotate(float[] x, int xo, float[] out, int rows, int heads, int hd, int[] positions,
                              float[] cos, float[] sin, boolean transpose) {
        int width = heads * hd;
        Parallel.parallelRange(rows, Math.max(1, PARALLEL_MIN / Math.max(width, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) rotateRow(x, xo + r * width, out, r * width, heads, hd, positions[r], cos, sin, transpose);
        });
    }

    /**
     * One row of heads at one position, {@code x[xi ..]} into {@code out[oi ..]} (which may be the
     * same place), on the calling thread: a decoding step's one token. The arithmetic of {@link #rotate}'s rows.
     */
    public static void rotateRow(float[] x, int xi, float[] out, int oi, int heads, int hd, int position,
                                 float[] cos, float[] sin, boolean transpose) {
        int half = hd / 2, t = position * half, bound = SPECIES.loopBound(half);
        float sign = transpose ? -1f : 1f; // exact: the backward's sine, negated, with no branch in the loop
        FloatVector vsign = FloatVector.broadcast(SPECIES, sign);
        for (int h = 0; h < heads; h++) {
            int a = xi + h * hd, b = a + half, oa = oi + h * hd, ob = oa + half;
            int i = 0;
            for (; i < bound; i += LANES) {
                FloatVector x1 = FloatVector.fromArray(SPECIES, x, a + i), x2 = FloatVector.fromArray(SPECIES, x, b + i);
                FloatVector c = FloatVector.fromArray(SPECIES, cos, t + i), s = FloatVector.fromArray(SPECIES, sin, t + i).mul(vsign);
                x1.mul(c).sub(x2.mul(s)).intoArray(out, oa + i);
                x2.mul(c).add(x1.mul(s)).intoArray(out, ob + i);
            }
            for (; i < half; i++) {
                float x1 = x[a + i], x2 = x[b + i], c = cos[t + i], s = sin[t + i] * sign;
                out[oa + i] = x1 * c - x2 * s;
                out[ob + i] = x2 * c + x1 * s;
            }
        }
    }
}
