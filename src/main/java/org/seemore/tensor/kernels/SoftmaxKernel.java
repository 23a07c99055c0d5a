package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Row-wise softmax (optionally causal and with a score scale), its backward, and log-sum-exp, on
 * float vectors with {@link VectorMath#exp}; rows are spread over the {@link Parallel} pool when
 * there are many. Checked through {@code NnOps}' softmax, cross-entropy and log-sum-exp against
 * {@code NnOpsReference}, and through the attention kernels against theirs.
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
     * masked loop, so that the JIT inlines a single copy of the exp (two overflow its inlining
     * budget). Where a last masked vector would reach past an array's end (a slow path), it goes
     * through a small buffer instead, with the same lanes: a row's values never depend on where it
     * lies in its array (a scalar tail did, so results varied with scratch-buffer sizes).
     */
    private static float expShifted(float[] x, int xi, float[] out, int oi, int n, float max, float scale) {
        FloatVector shift = FloatVector.broadcast(SPECIES, -max * scale), vs = FloatVector.broadcast(SPECIES, scale);
        FloatVector sum = FloatVector.zero(SPECIES);
        int limit = maskedLimit(n, xi, x.length, oi, out.length);
        float[] tail = limit < n ? tail(x, xi + limit, n - limit) : null;
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            boolean direct = i < limit;
            FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, direct ? x : tail, direct ? xi + i : 0, m).fma(vs, shift));
            e.intoArray(direct ? out : tail, direct ? oi + i : LANES, m);
            sum = sum.add(e, m);
        }
        if (tail != null) System.arraycopy(tail, LANES, out, oi + limit, n - limit);
        return VectorMath.sumLanes(sum);
    }

    /** Per thread: the last partial vector of a row at an array's end (input, then output), see {@link #expShifted}. */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[2 * LANES]);

    /** {@code count} (< one vector) values of {@code a} from {@code from}, copied to the start of this thread's tail buffer. */
    private static float[] tail(float[] a, int from, int count) {
        float[] t = TAIL.get();
        System.arraycopy(a, from, t, 0, count);
        return t;
    }

    /** n, or the whole vectors of n when a last masked vector would reach past either array's end. */
    private static int maskedLimit(int n, int ai, int aLength, int bi, int bLength) {
        int whole = SPECIES.loopBound(n);
        return whole == n || (ai + whole + LANES <= aLength && bi + whole + LANES <= bLength) ? n : whole;
    }

    /**
     * Softmax backward over rows of {@code tk}: {@code gx = scale * y * (g - sum(g * y))}, stored
     * (gx may be g itself). All arrays from 0.
     */
    public static void backward(float[] g, float[] y, float[] gx, int rows, int tk, float scale) {
        Parallel.parallelRange(rows, Math.max(1, PARALLEL_MIN / Math.max(tk, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) backwardRow(g, r * tk, y, r * tk, gx, r * tk, tk, scale);
        });
    }

    /**
     * One row of the softmax backward, {@code gx = scale * y * (g - sum(g * y))} over n values, times
     * {@code scale} (the score scale of a scaled softmax); gx may be g (same offset).
     */
    public static void backwardRow(float[] g, int gi, float[] y, int yi, float[] gx, int xi, int n, float scale) {
        float dot = VectorMath.dot(g, gi, y, yi, n);
        FloatVector vd = FloatVector.broadcast(SPECIES, dot), vs = FloatVector.broadcast(SPECIES, scale);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, y, yi + i).mul(FloatVector.fromArray(SPECIES, g, gi + i).sub(vd)).mul(vs).intoArray(gx, xi + i);
        }
        for (; i < n; i++) gx[xi + i] = y[yi + i] * (g[gi + i] - dot) * scale;
    }

    /** {@code log(sum(exp(x[xi .. xi+n))))}, n >= 1; the last partial vector as in {@link #expShifted}. */
    public static float logSumExp(float[] x, int xi, int n) {
        float max = VectorMath.max(x, xi, n);
        if (max == Float.NEGATIVE_INFINITY) return max;
        FloatVector shift = FloatVector.broadcast(SPECIES, -max);
        FloatVector sum = FloatVector.zero(SPECIES);
        int limit = maskedLimit(n, xi, x.length, 0, Integer.MAX_VALUE);
        float[] tail = limit < n ? tail(x, xi + limit, n - limit) : null;
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            boolean direct = i < limit;
            sum = sum.add(VectorMath.exp(FloatVector.fromArray(SPECIES, direct ? x : tail, direct ? xi + i : 0, m).add(shift)), m);
        }
        double total = VectorMath.sumLanes(sum);
        return (float) (max + Math.log(total));
    }

    /** {@code gx[gi + j] += factor * exp(x[xi + j] - shift)} for j in [0, n): a softmax-shaped gradient; tails as in {@link #expShifted}. */
    public static void addExp(float[] x, int xi, float shift, float factor, float[] gx, int gi, int n) {
        FloatVector vs = FloatVector.broadcast(SPECIES, -shift), vf = FloatVector.broadcast(SPECIES, factor);
        int limit = maskedLimit(n, xi, x.length, gi, gx.length);
        float[] tail = null;
        if (limit < n) { // input, then the gradient it is added to, side by side in the buffer
            tail = tail(x, xi + limit, n - limit);
            System.arraycopy(gx, gi + limit, tail, LANES, n - limit);
        }
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            boolean direct = i < limit;
            FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, direct ? x : tail, direct ? xi + i : 0, m).add(vs));
            e.fma(vf, FloatVector.fromArray(SPECIES, direct ? gx : tail, direct ? gi + i : LANES, m)).intoArray(direct ? gx : tail, direct ? gi + i : LANES, m);
        }
        if (tail != null) System.arraycopy(tail, LANES, gx, gi + limit, n - limit);
    }
}
