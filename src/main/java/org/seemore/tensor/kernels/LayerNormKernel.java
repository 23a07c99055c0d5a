package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * LayerNorm over rows of C values (Ba et al. 2016), forward and backward, vectorized along the row
 * and parallel over blocks of rows. The weight and bias gradients are summed per block of
 * {@link #BLOCK_ROWS} rows and the blocks added in order, so the result does not depend on the
 * number of threads. Sums run in float across vector lanes (the reference accumulates in double).
 */
public final class LayerNormKernel {
    /** Rows per parallel task of the backward pass. */
    static final int BLOCK_ROWS = 32;
    /** Elements below which a pass stays on the calling thread. */
    static final int PARALLEL_MIN = 1 << 15;

    private LayerNormKernel() {}

    /**
     * {@code out[r] = (x[r] - mean) * rstd * w + b} for each of {@code rows} rows of {@code c} values
     * (x from {@code xo}, out from 0), storing each row's mean and rstd = 1/sqrt(var + eps).
     */
    public static void forward(float[] x, int xo, float[] w, int wo, float[] b, int bo, float[] out,
                               float[] mean, float[] rstd, int rows, int c, float eps) {
        Parallel.parallelRange(rows, Math.max(1, PARALLEL_MIN / c), (r0, r1) -> {
            for (int r = r0; r < r1; r++) forwardRow(x, xo + r * c, w, wo, b, bo, out, r * c, mean, rstd, r, c, eps);
        });
    }

    private static void forwardRow(float[] x, int xi, float[] w, int wo, float[] b, int bo, float[] out, int oi,
                                   float[] mean, float[] rstd, int r, int c, float eps) {
        float m = VectorMath.sum(x, xi, c) / c;
        FloatVector vm = FloatVector.broadcast(SPECIES, m);
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(c); i < bound; i += LANES) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, xi + i).sub(vm);
            acc = d.fma(d, acc);
        }
        if (i < c) {
            VectorMask<Float> mask = SPECIES.indexInRange(i, c);
            FloatVector d = FloatVector.fromArray(SPECIES, x, xi + i, mask).sub(vm);
            acc = acc.add(d.mul(d), mask);
        }
        float rs = (float) (1 / Math.sqrt(acc.reduceLanes(VectorOperators.ADD) / c + (double) eps));
        mean[r] = m;
        rstd[r] = rs;
        FloatVector vrs = FloatVector.broadcast(SPECIES, rs);
        i = 0;
        for (int bound = SPECIES.loopBound(c); i < bound; i += LANES) {
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i).sub(vm).mul(vrs);
            xhat.fma(FloatVector.fromArray(SPECIES, w, wo + i), FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(out, oi + i);
        }
        if (i < c) {
            VectorMask<Float> mask = SPECIES.indexInRange(i, c);
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i, mask).sub(vm).mul(vrs);
            xhat.fma(FloatVector.fromArray(SPECIES, w, wo + i, mask), FloatVector.fromArray(SPECIES, b, bo + i, mask))
                    .intoArray(out, oi + i, mask);
        }
    }

    /**
     * The gradients from the output's gradient g (rows x c from 0): {@code gx} gets
     * {@code rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))} with {@code dxhat = g * w}
     * (added, or stored when {@code overwriteGx}; gx may be g itself), and {@code gw += sum g * xhat},
     * {@code gb += sum g} over rows. Any of gx, gw, gb may be null.
     */
    public static void backward(float[] g, float[] x, int xo, float[] w, int wo, float[] mean, float[] rstd,
                                float[] gx, boolean overwriteGx, float[] gw, float[] gb, int rows, int c) {
        // small inputs: one task; otherwise fixed blocks of rows, whatever the number of threads
        int rowsPerTask = (long) rows * c < PARALLEL_MIN ? Math.max(rows, 1) : BLOCK_ROWS;
        int tasks = (rows + rowsPerTask - 1) / rowsPerTask;
        boolean sums = gw != null || gb != null;
        float[] partW = sums ? new float[tasks * c] : null, partB = sums ? new float[tasks * c] : null;
        Parallel.parallelFor(tasks, task -> {
            int r0 = task * rowsPerTask, r1 = Math.min(rows, r0 + rowsPerTask);
            for (int r = r0; r < r1; r++) {
                backwardRow(g, r * c, x, xo + r * c, w, wo, mean[r], rstd[r], gx, overwriteGx, partW, partB, task * c, c);
            }
        });
        if (sums) {
            for (int t = 0; t < tasks; t++) {
                if (gw != null) VectorMath.addInto(partW, t * c, gw, 0, c);
                if (gb != null) VectorMath.addInto(partB, t * c, gb, 0, c);
            }
        }
    }

    private static void backwardRow(float[] g, int gi, float[] x, int xi, float[] w, int wo, float m, float rs,
                                    float[] gx, boolean overwrite, float[] partW, float[] partB, int pi, int c) {
        FloatVector vm = FloatVector.broadcast(SPECIES, m), vrs = FloatVector.broadcast(SPECIES, rs);
        FloatVector sumD = FloatVector.zero(SPECIES), sumDX = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i < c; i += LANES) {
            VectorMask<Float> mask = SPECIES.indexInRange(i, c);
            FloatVector gv = FloatVector.fromArray(SPECIES, g, gi + i, mask);
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i, mask).sub(vm).mul(vrs);
            FloatVector dxhat = gv.mul(FloatVector.fromArray(SPECIES, w, wo + i, mask));
            sumD = sumD.add(dxhat);
            sumDX = dxhat.fma(xhat, sumDX);
            if (partW != null) {
                gv.fma(xhat, FloatVector.fromArray(SPECIES, partW, pi + i, mask)).intoArray(partW, pi + i, mask);
                gv.add(FloatVector.fromArray(SPECIES, partB, pi + i, mask)).intoArray(partB, pi + i, mask);
            }
        }
        if (gx == null) return;
        FloatVector meanD = FloatVector.broadcast(SPECIES, sumD.reduceLanes(VectorOperators.ADD) / c);
        FloatVector meanDX = FloatVector.broadcast(SPECIES, sumDX.reduceLanes(VectorOperators.ADD) / c);
        for (i = 0; i < c; i += LANES) {
            VectorMask<Float> mask = SPECIES.indexInRange(i, c);
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i, mask).sub(vm).mul(vrs);
            FloatVector dxhat = FloatVector.fromArray(SPECIES, g, gi + i, mask).mul(FloatVector.fromArray(SPECIES, w, wo + i, mask));
            FloatVector d = dxhat.sub(meanD).sub(xhat.mul(meanDX)).mul(vrs);
            (overwrite ? d : d.add(FloatVector.fromArray(SPECIES, gx, gi + i, mask))).intoArray(gx, gi + i, mask);
        }
    }
}
