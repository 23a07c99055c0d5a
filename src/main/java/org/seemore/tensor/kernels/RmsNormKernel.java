package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * RMSNorm over rows of C values (Zhang &amp; Sennrich 2019) as Llama, Qwen2 and Mixtral use it:
 * {@code w * (x * rstd)} with {@code rstd = 1/sqrt(mean(x²) + eps)} (the weight itself, not
 * {@code 1 + w}), forward and backward, vectorized along the row and parallel over blocks of rows.
 * As in {@link LayerNormKernel}, the weight gradient is summed per block of {@link #BLOCK_ROWS} rows
 * and the blocks added in order, so results do not depend on the number of threads. Checked through
 * {@code NnOps.rmsNorm} against {@code NnOpsReference}, which accumulates in double.
 */
public final class RmsNormKernel {
    /** Rows per parallel task of the backward pass. */
    static final int BLOCK_ROWS = 32;
    /** Elements below which a pass stays on the calling thread. */
    static final int PARALLEL_MIN = 1 << 15;

    private RmsNormKernel() {}

    /** {@code out[r] = w * (x[r] * rstd[r])} for rows of c values (x from xo, out from 0), storing each row's rstd. */
    public static void forward(float[] x, int xo, float[] w, int wo, float[] out, float[] rstd, int rows, int c, float eps) {
        Parallel.parallelRange(rows, Math.max(1, PARALLEL_MIN / Math.max(c, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) rstd[r] = forwardRow(x, xo + r * c, w, wo, out, r * c, c, eps);
        });
    }

    /**
     * One row, {@code out[oi ..] = w * (x[xi ..] * rstd)} over c values, on the calling thread (a
     * decoding step's one token): the arithmetic of {@link #forward}'s rows. Returns rstd, computed
     * as PyTorch does in float32: {@code rsqrt(mean(x²) + eps)}, the sum of eps rounded to float.
     */
    public static float forwardRow(float[] x, int xi, float[] w, int wo, float[] out, int oi, int c, float eps) {
        float rs = (float) (1 / Math.sqrt(VectorMath.dot(x, xi, x, xi, c) / c + eps));
        FloatVector vrs = FloatVector.broadcast(SPECIES, rs);
        int i = 0;
        for (int bound = SPECIES.loopBound(c); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xi + i).mul(vrs).mul(FloatVector.fromArray(SPECIES, w, wo + i)).intoArray(out, oi + i);
        }
        for (; i < c; i++) out[oi + i] = x[xi + i] * rs * w[wo + i];
        return rs;
    }

    /**
     * The gradients from the output's gradient g (rows x c from 0): {@code gx} (when not null; it may
     * be g itself) is set to {@code rstd * (dxhat - xhat * mean(dxhat * xhat))} with {@code xhat = x * rstd}
     * and {@code dxhat = g * w}, and {@code gw += sum g * xhat} over rows (when not null).
     */
    public static void backward(float[] g, float[] x, int xo, float[] w, int wo, float[] rstd, float[] gx, float[] gw, int rows, int c) {
        // small inputs: one task; otherwise fixed blocks of rows, whatever the number of threads
        int rowsPerTask = (long) rows * c < PARALLEL_MIN ? Math.max(rows, 1) : BLOCK_ROWS;
        int tasks = (rows + rowsPerTask - 1) / rowsPerTask;
        float[] partW = gw == null ? null : new float[tasks * c];
        Parallel.parallelFor(tasks, task -> {
            int r0 = task * rowsPerTask, r1 = Math.min(rows, r0 + rowsPerTask);
            for (int r = r0; r < r1; r++) {
                float meanDX = rowSum(g, r * c, x, xo + r * c, w, wo, rstd[r], partW, task * c, c) / c;
                if (gx != null) rowGradient(g, r * c, x, xo + r * c, w, wo, rstd[r], meanDX, gx, c);
            }
        });
        if (gw != null) for (int t = 0; t < tasks; t++) VectorMath.addInto(partW, t * c, gw, 0, c);
    }

    /**
     * One row's {@code sum(dxhat * xhat)}, with its {@code g * xhat} added to the partial weight
     * gradient at pi (when there is one). Vector loops free of branches, as in {@link LayerNormKernel}.
     */
    private static float rowSum(float[] g, int gi, float[] x, int xi, float[] w, int wo, float rs, float[] partW, int pi, int c) {
        FloatVector vrs = FloatVector.broadcast(SPECIES, rs);
        FloatVector sumDX = FloatVector.zero(SPECIES);
        int i = 0;
        int bound = SPECIES.loopBound(c);
        if (partW != null) {
            for (; i < bound; i += LANES) {
                FloatVector gv = FloatVector.fromArray(SPECIES, g, gi + i);
                FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i).mul(vrs);
                sumDX = gv.mul(FloatVector.fromArray(SPECIES, w, wo + i)).fma(xhat, sumDX);
                gv.fma(xhat, FloatVector.fromArray(SPECIES, partW, pi + i)).intoArray(partW, pi + i);
            }
        } else {
            for (; i < bound; i += LANES) {
                FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i).mul(vrs);
                sumDX = FloatVector.fromArray(SPECIES, g, gi + i).mul(FloatVector.fromArray(SPECIES, w, wo + i)).fma(xhat, sumDX);
            }
        }
        float dx = VectorMath.sumLanes(sumDX);
        for (; i < c; i++) {
            float xhat = x[xi + i] * rs;
            dx += g[gi + i] * w[wo + i] * xhat;
            if (partW != null) partW[pi + i] += g[gi + i] * xhat;
        }
        return dx;
    }

    /** One row of {@code gx = rstd * (dxhat - xhat * meanDX)}; gx may be g. */
    private static void rowGradient(float[] g, int gi, float[] x, int xi, float[] w, int wo, float rs, float meanDX, float[] gx, int c) {
        FloatVector vrs = FloatVector.broadcast(SPECIES, rs), vdx = FloatVector.broadcast(SPECIES, meanDX);
        int i = 0;
        for (int bound = SPECIES.loopBound(c); i < bound; i += LANES) {
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i).mul(vrs);
            FloatVector dxhat = FloatVector.fromArray(SPECIES, g, gi + i).mul(FloatVector.fromArray(SPECIES, w, wo + i));
            dxhat.sub(xhat.mul(vdx)).mul(vrs).intoArray(gx, gi + i);
        }
        for (; i < c; i++) {
            float xhat = x[xi + i] * rs, dxhat = g[gi + i] * w[wo + i];
            gx[gi + i] = rs * (dxhat - xhat * meanDX);
        }
    }
}
