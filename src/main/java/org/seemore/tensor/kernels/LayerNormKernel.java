package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * LayerNorm over rows of C values (Ba et al. 2016), forward and backward, vectorized along the row
 * and parallel over blocks of rows. The weight and bias gradients are summed per block of
 * {@link #BLOCK_ROWS} rows and the blocks added in order, so the result does not depend on the
 * number of threads. Sums run in float across vector lanes (the reference, {@code NnOpsReference}'s,
 * which this is checked against through {@code NnOps}, accumulates in double).
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
            for (int r = r0; r < r1; r++) forwardRow(x, xo + r * c, w, wo, b, bo, out, r * c, mean, r, rstd, r, c, eps);
        });
    }

    /**
     * One row, {@code out[oi ..] = (x[xi ..] - mean) * rstd * w + b} over c values, on the calling
     * thread (a decoding step's one token); the same arithmetic as {@link #forward}'s rows.
     * {@code stats} receives the mean and rstd at 0 and 1.
     */
    public static void forwardRow(float[] x, int xi, float[] w, int wo, float[] b, int bo, float[] out, int oi,
                                  int c, float eps, float[] stats) {
        forwardRow(x, xi, w, wo, b, bo, out, oi, stats, 0, stats, 1, c, eps);
    }

    /** One row; stores its mean at {@code mean[mi]} and its rstd at {@code rstd[ri]}. */
    private static void forwardRow(float[] x, int xi, float[] w, int wo, float[] b, int bo, float[] out, int oi,
                                   float[] mean, int mi, float[] rstd, int ri, int c, float eps) {
        float m = VectorMath.sum(x, xi, c) / c;
        FloatVector vm = FloatVector.broadcast(SPECIES, m);
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(c); i < bound; i += LANES) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, xi + i).sub(vm);
            acc = d.fma(d, acc);
        }
        float var = VectorMath.sumLanes(acc);
        for (; i < c; i++) var += (x[xi + i] - m) * (x[xi + i] - m);
        float rs = (float) (1 / Math.sqrt(var / c + (double) eps));
        mean[mi] = m;
        rstd[ri] = rs;
        FloatVector vrs = FloatVector.broadcast(SPECIES, rs);
        i = 0;
        for (int bound = SPECIES.loopBound(c); i < bound; i += LANES) {
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i).sub(vm).mul(vrs);
            xhat.fma(FloatVector.fromArray(SPECIES, w, wo + i), FloatVector.fromArray(SPECIES, b, bo + i)).intoArray(out, oi + i);
        }
        for (; i < c; i++) out[oi + i] = (x[xi + i] - m) * rs * w[wo + i] + b[bo + i];
    }

    /**
     * The gradients from the output's gradient g (rows x c from 0): {@code gx} (when not null; it may
     * be g itself) is set to {@code rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))} with
     * {@code dxhat = g * w}, and {@code gw += sum g * xhat}, {@code gb += sum g} over rows (when not null).
     */
    public static void backward(float[] g, float[] x, int xo, float[] w, int wo, float[] mean, float[] rstd,
                                float[] gx, float[] gw, float[] gb, int rows, int c) {
        // small inputs: one task; otherwise fixed blocks of rows, whatever the number of threads
        int rowsPerTask = (long) rows * c < PARALLEL_MIN ? Math.max(rows, 1) : BLOCK_ROWS;
        int tasks = (rows + rowsPerTask - 1) / rowsPerTask;
        float[] partW = new float[tasks * c], partB = new float[tasks * c];
        Parallel.parallelFor(tasks, task -> {
            int r0 = task * rowsPerTask, r1 = Math.min(rows, r0 + rowsPerTask);
            float[] sums = new float[2];
            for (int r = r0; r < r1; r++) {
                rowSums(g, r * c, x, xo + r * c, w, wo, mean[r], rstd[r], partW, partB, task * c, c, sums);
                if (gx != null) rowGradient(g, r * c, x, xo + r * c, w, wo, mean[r], rstd[r], sums[0] / c, sums[1] / c, gx, c);
            }
        });
        for (int t = 0; t < tasks; t++) {
            if (gw != null) VectorMath.addInto(partW, t * c, gw, 0, c);
            if (gb != null) VectorMath.addInto(partB, t * c, gb, 0, c);
        }
    }

    /**
     * One row's {@code sum(dxhat)} and {@code sum(dxhat * xhat)} into sums[0..1], and its {@code g * xhat}
     * and g added to the partial weight and bias gradients at pi. Vector loops stay free of branches
     * and of masked loads that could reach past the array's end: the JIT then keeps every vector in
     * registers (it allocates them otherwise).
     */
    private static void rowSums(float[] g, int gi, float[] x, int xi, float[] w, int wo, float m, float rs,
                                float[] partW, float[] partB, int pi, int c, float[] sums) {
        FloatVector vm = FloatVector.broadcast(SPECIES, m), vrs = FloatVector.broadcast(SPECIES, rs);
        FloatVector sumD = FloatVector.zero(SPECIES), sumDX = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(c); i < bound; i += LANES) {
            FloatVector gv = FloatVector.fromArray(SPECIES, g, gi + i);
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i).sub(vm).mul(vrs);
            FloatVector dxhat = gv.mul(FloatVector.fromArray(SPECIES, w, wo + i));
            sumD = sumD.add(dxhat);
            sumDX = dxhat.fma(xhat, sumDX);
            gv.fma(xhat, FloatVector.fromArray(SPECIES, partW, pi + i)).intoArray(partW, pi + i);
            gv.add(FloatVector.fromArray(SPECIES, partB, pi + i)).intoArray(partB, pi + i);
        }
        float d = VectorMath.sumLanes(sumD), dx = VectorMath.sumLanes(sumDX);
        for (; i < c; i++) {
            float xhat = (x[xi + i] - m) * rs, dxhat = g[gi + i] * w[wo + i];
            d += dxhat;
            dx += dxhat * xhat;
            partW[pi + i] += g[gi + i] * xhat;
            partB[pi + i] += g[gi + i];
        }
        sums[0] = d;
        sums[1] = dx;
    }

    /** One row of {@code gx = rstd * (dxhat - meanD - xhat * meanDX)}; gx may be g. */
    private static void rowGradient(float[] g, int gi, float[] x, int xi, float[] w, int wo, float m, float rs,
                                    float meanD, float meanDX, float[] gx, int c) {
        FloatVector vm = FloatVector.broadcast(SPECIES, m), vrs = FloatVector.broadcast(SPECIES, rs);
        FloatVector vd = FloatVector.broadcast(SPECIES, meanD), vdx = FloatVector.broadcast(SPECIES, meanDX);
        int i = 0;
        for (int bound = SPECIES.loopBound(c); i < bound; i += LANES) {
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xi + i).sub(vm).mul(vrs);
            FloatVector dxhat = FloatVector.fromArray(SPECIES, g, gi + i).mul(FloatVector.fromArray(SPECIES, w, wo + i));
            dxhat.sub(vd).sub(xhat.mul(vdx)).mul(vrs).intoArray(gx, gi + i);
        }
        for (; i < c; i++) {
            float xhat = (x[xi + i] - m) * rs, dxhat = g[gi + i] * w[wo + i];
            gx[gi + i] = rs * (dxhat - meanD - xhat * meanDX);
        }
    }
}
