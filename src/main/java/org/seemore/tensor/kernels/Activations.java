package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector loops of the unary elementwise ops, forward and backward, split over the {@link Parallel}
 * pool when large. Each loop is written out (no lambda over vectors), so that the JIT keeps every
 * vector in registers. Outputs may alias inputs: backward steps run in place on the gradient.
 */
public final class Activations {
    /** Elements below which a loop stays on the calling thread. */
    static final int PARALLEL_MIN = 1 << 15;
    /** GELU costs some 40 flops per element, so it splits sooner. */
    static final int PARALLEL_MIN_GELU = 1 << 13;

    private Activations() {}

    /** {@code out[i] = x[xo + i] * factor}. */
    public static void scale(float[] x, int xo, float[] out, int n, float factor) {
        Parallel.parallelRange(n, PARALLEL_MIN, (s, e) -> {
            int i = s;
            for (int bound = s + SPECIES.loopBound(e - s); i < bound; i += LANES) {
                FloatVector.fromArray(SPECIES, x, xo + i).mul(factor).intoArray(out, i);
            }
            if (i < e) {
                VectorMask<Float> m = SPECIES.indexInRange(i, e);
                FloatVector.fromArray(SPECIES, x, xo + i, m).mul(factor).intoArray(out, i, m);
            }
        });
    }

    /** {@code x[off + i] *= factor} for i in [0, n), on the calling thread. */
    public static void scaleRange(float[] x, int off, int n, float factor) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, off + i).mul(factor).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] *= factor;
    }

    /** {@code out[i] = max(x[xo + i], 0)}. */
    public static void relu(float[] x, int xo, float[] out, int n) {
        Parallel.parallelRange(n, PARALLEL_MIN, (s, e) -> {
            int i = s;
            for (int bound = s + SPECIES.loopBound(e - s); i < bound; i += LANES) {
                FloatVector.fromArray(SPECIES, x, xo + i).max(0f).intoArray(out, i);
            }
            if (i < e) {
                VectorMask<Float> m = SPECIES.indexInRange(i, e);
                FloatVector.fromArray(SPECIES, x, xo + i, m).max(0f).intoArray(out, i, m);
            }
        });
    }

    /** {@code g[i] = y[i] > 0 ? g[i] : 0} in place, y being ReLU's output. */
    public static void reluBackward(float[] g, float[] y, int n) {
        Parallel.parallelRange(n, PARALLEL_MIN, (s, e) -> {
            int i = s;
            for (int bound = s + SPECIES.loopBound(e - s); i < bound; i += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, g, i);
                v.blend(0f, FloatVector.fromArray(SPECIES, y, i).compare(VectorOperators.LE, 0f)).intoArray(g, i);
            }
            for (; i < e; i++) if (!(y[i] > 0f)) g[i] = 0f;
        });
    }

    /** {@code out[i] = gelu(x[xo + i])}. */
    public static void gelu(float[] x, int xo, float[] out, int n) {
        Parallel.parallelRange(n, PARALLEL_MIN_GELU, (s, e) -> {
            int i = s;
            for (int bound = s + SPECIES.loopBound(e - s); i < bound; i += LANES) {
                VectorMath.gelu(FloatVector.fromArray(SPECIES, x, xo + i)).intoArray(out, i);
            }
            if (i < e) {
                VectorMask<Float> m = SPECIES.indexInRange(i, e);
                VectorMath.gelu(FloatVector.fromArray(SPECIES, x, xo + i, m)).intoArray(out, i, m);
            }
        });
    }

    /** {@code g[i] *= gelu'(x[xo + i])} in place. */
    public static void geluBackward(float[] g, float[] x, int xo, int n) {
        Parallel.parallelRange(n, PARALLEL_MIN_GELU, (s, e) -> {
            int i = s;
            for (int bound = s + SPECIES.loopBound(e - s); i < bound; i += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, xo + i);
                FloatVector.fromArray(SPECIES, g, i).mul(VectorMath.geluGrad(v)).intoArray(g, i);
            }
            if (i < e) {
                VectorMask<Float> m = SPECIES.indexInRange(i, e);
                FloatVector v = FloatVector.fromArray(SPECIES, x, xo + i, m);
                FloatVector.fromArray(SPECIES, g, i, m).mul(VectorMath.geluGrad(v)).intoArray(g, i, m);
            }
        });
    }
}
