package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Row-wise softmax (optionally causal and with a score scale), its backward, and log-sum-exp, on
 * float vectors with {@link VectorMath#exp}; rows are spread over the {@link Parallel} pool when
 * there are many.
 */
public final class SoftmaxKernel {
    /** Elements below which a pass stays on the calling thread. */
    static final int PARALLEL_MIN = 1 << 14;

    private SoftmaxKernel() {}

    /**
     * {@code out[r] = softmax(scale * x[r])} over rows of {@code tk} values; with {@code causal} the
     * rows form {@code [..., tq, tk]} blocks and row i of a block sees keys {@code j <= i + tk - tq}
     * (the rest get 0). out (from 0) may be x when xo is 0.
     */
    public static void forward(float[] x, int xo, float[] out, int rows, int tk, int tq, boolean causal, float scale) {
        Parallel.parallelRange(rows, Math.max(1, PARALLEL_MIN / Math.max(tk, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int visible = causal ? Math.min(tk, (r % tq) + tk - tq + 1) : tk;
                row(x, xo + r * tk, out, r * tk, visible, tk, scale);
            }
        });
    }

    /** Softmax of {@code scale * x[xi .. xi+visible)} into {@code out[oi ..]}, zeros up to {@code width}. */
    public static void row(float[] x, int xi, float[] out, int oi, int visible, int width, float scale) {
        if (visible <= 0) {
            java.util.Arrays.fill(out, oi, oi + width, 0f);
            return;
        }
        float max = VectorMath.max(x, xi, visible);
        float inv = 1f / expShifted(x, xi, out, oi, visible, max, scale);
        Activations.scaleRange(out, oi, visible, inv);
        if (visible < width) java.util.Arrays.fill(out, oi + visible, oi + width, 0f);
    }

    /**
     * {@code out[oi + j] = exp(scale * (x[xi + j] - max))} for j in [0, n); returns their sum. One
     * masked loop, so that the JIT inlines a single copy of the exp (two overflow its inlining budget).
     */
    private static float expShifted(float[] x, int xi, float[] out, int oi, int n, float max, float scale) {
        FloatVector shift = FloatVector.broadcast(SPECIES, -max * scale), vs = FloatVector.broadcast(SPECIES, scale);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, x, xi + i, m).fma(vs, shift));
            e.intoArray(out, oi + i, m);
            sum = sum.add(e, m);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Softmax backward over rows of {@code tk}: {@code gx = y * (g - sum(g * y))}, added into gx or
     * stored when {@code overwrite} (gx may be g itself). All arrays from 0.
     */
    public static void backward(float[] g, float[] y, float[] gx, boolean overwrite, int rows, int tk, float scale) {
        Parallel.parallelRange(rows, Math.max(1, PARALLEL_MIN / Math.max(tk, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) backwardRow(g, y, gx, r * tk, tk, overwrite, scale);
        });
    }

    /** One row of the softmax backward, times {@code scale} (the score scale of a scaled softmax). */
    public static void backwardRow(float[] g, float[] y, float[] gx, int off, int n, boolean overwrite, float scale) {
        FloatVector dot = FloatVector.broadcast(SPECIES, VectorMath.dot(g, off, y, off, n));
        FloatVector vs = FloatVector.broadcast(SPECIES, scale);
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector d = FloatVector.fromArray(SPECIES, y, off + i, m).mul(FloatVector.fromArray(SPECIES, g, off + i, m).sub(dot)).mul(vs);
            (overwrite ? d : d.add(FloatVector.fromArray(SPECIES, gx, off + i, m))).intoArray(gx, off + i, m);
        }
    }

    /** {@code log(sum(exp(x[xi .. xi+n))))}, n >= 1. */
    public static float logSumExp(float[] x, int xi, int n) {
        float max = VectorMath.max(x, xi, n);
        if (max == Float.NEGATIVE_INFINITY) return max;
        FloatVector shift = FloatVector.broadcast(SPECIES, -max);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            sum = sum.add(VectorMath.exp(FloatVector.fromArray(SPECIES, x, xi + i, m).add(shift)), m);
        }
        return (float) (max + Math.log(sum.reduceLanes(VectorOperators.ADD)));
    }

    /** {@code gx[gi + j] += factor * exp(x[xi + j] - shift)} for j in [0, n): a softmax-shaped gradient. */
    public static void addExp(float[] x, int xi, float shift, float factor, float[] gx, int gi, int n) {
        FloatVector vs = FloatVector.broadcast(SPECIES, -shift), vf = FloatVector.broadcast(SPECIES, factor);
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, x, xi + i, m).add(vs));
            e.fma(vf, FloatVector.fromArray(SPECIES, gx, gi + i, m)).intoArray(gx, gi + i, m);
        }
    }
}
