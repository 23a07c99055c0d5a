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
 * Checked through {@code Elementwise} against {@code ElementwiseReference}.
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

    /** {@code out[i] = gelu(x[xo + i])}: GELU, {@code x·Phi(x)} (see {@link VectorMath} for Phi). */
    public static void gelu(float[] x, int xo, float[] out, int n) {
        Parallel.parallelRange(n, PARALLEL_MIN_GELU, (s, e) -> geluChunk(x, xo, out, null, s, e));
    }

    /** {@code g[i] *= gelu'(x[xo + i])} in place, {@code gelu'(x) = Phi(x) + x·phi(x)}. */
    public static void geluBackward(float[] g, float[] x, int xo, int n) {
        Parallel.parallelRange(n, PARALLEL_MIN_GELU, (s, e) -> geluChunk(x, xo, g, g, s, e));
    }

    // ---- activations that are x times a sigmoid ----------------------------------------------

    /**
     * The activations of the form {@code x·σ(z(x))} with {@code z = x·(linear + cubic·x²)}: SiLU
     * (Elfwing et al. 2018) {@code x·σ(x)}; quick_gelu (OpenAI CLIP) {@code x·σ(1.702x)}; and GELU's
     * tanh approximation (PyTorch's {@code gelu(approximate="tanh")}, HF's gelu_pytorch_tanh)
     * {@code 0.5x(1 + tanh(k(x + 0.044715x³)))}, k = sqrt(2/π), which is {@code x·σ(2k(x + 0.044715x³))}
     * since {@code (1 + tanh u)/2 = σ(2u)}: one exp and no cancellation in {@code 1 + tanh u}.
     */
    public enum Gate {
        SILU(1f, 0f),
        QUICK_GELU(1.702f, 0f),
        GELU_TANH((float) (2 * Math.sqrt(2 / Math.PI)), (float) (2 * Math.sqrt(2 / Math.PI) * 0.044715));

        final float linear, cubic;

        Gate(float linear, float cubic) {
            this.linear = linear;
            this.cubic = cubic;
        }
    }

    /** {@code out[i] = x·σ(z)} for {@code x = x[xo + i]}: the gate's activation. */
    public static void sigmoidGate(Gate gate, float[] x, int xo, float[] out, int n) {
        Parallel.parallelRange(n, PARALLEL_MIN_GELU, (s, e) -> gateChunk(gate, x, xo, out, false, s, e));
    }

    /** {@code g[i] *= σ(z)·(1 + x·(1 - σ(z))·z'(x))} in place: the gate's slope, {@code z' = linear + 3·cubic·x²}. */
    public static void sigmoidGateBackward(Gate gate, float[] g, float[] x, int xo, int n) {
        Parallel.parallelRange(n, PARALLEL_MIN_GELU, (s, e) -> gateChunk(gate, x, xo, g, true, s, e));
    }

    /**
     * [s, e): whole vectors in place, a last partial one through zero-padded copies, so that every
     * value goes through the same vector arithmetic wherever the chunk boundaries fall.
     */
    private static void gateChunk(Gate gate, float[] x, int xo, float[] out, boolean slope, int s, int e) {
        int whole = SPECIES.loopBound(e - s);
        gateVectors(x, xo + s, out, s, whole, gate.linear, gate.cubic, slope);
        if (s + whole < e) {
            int rest = e - s - whole, at = s + whole;
            float[] xt = new float[LANES], ot = new float[LANES];
            System.arraycopy(x, xo + at, xt, 0, rest);
            if (slope) System.arraycopy(out, at, ot, 0, rest);
            gateVectors(xt, 0, ot, 0, LANES, gate.linear, gate.cubic, slope);
            System.arraycopy(ot, 0, out, at, rest);
        }
    }

    /**
     * n (whole vectors) values from x[xi]: {@code out[oi + j] = x / (1 + e^-z)}, or with {@code slope}
     * {@code out[oi + j] *= σ·(1 + x·(1 - σ)·z')}, taking {@code 1 - σ = e^-z·σ} for {@code z > 0}.
     * Below z = -88.4 the exp overflows to infinity and the output is 0 (-0 for negative x), the slope
     * 0; above 87.6 it is 0, the output x and the slope 1.
     */
    private static void gateVectors(float[] x, int xi, float[] out, int oi, int n, float linear, float cubic, boolean slope) {
        boolean hasCubic = cubic != 0f; // SiLU and quick_gelu: z = linear·x, with no x² to overflow
        FloatVector vl = VectorMath.c(linear), vc = VectorMath.c(cubic), vc3 = VectorMath.c(3 * cubic), one = VectorMath.c(1f);
        for (int j = 0; j < n; j += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xi + j);
            FloatVector sq = v.mul(v);
            FloatVector z = hasCubic ? sq.fma(vc, vl).mul(v) : v.mul(vl);
            FloatVector e = VectorMath.exp(z.neg()), denominator = e.add(one);
            if (!slope) {
                v.div(denominator).intoArray(out, oi + j);
            } else {
                FloatVector sigma = one.div(denominator);
                FloatVector dz = hasCubic ? sq.fma(vc3, vl) : vl;
                // 1 - σ: as e·σ for z > 0, where 1 - σ itself cancels (σ rounds to 1 from z = 16.6); as 1 - σ
                // below, where e may have overflowed (e·σ would be inf·0)
                FloatVector complement = one.sub(sigma).blend(e.mul(sigma), z.compare(VectorOperators.GT, 0f));
                FloatVector factor = complement.mul(v).fma(dz, one).mul(sigma);
                FloatVector.fromArray(SPECIES, out, oi + j).mul(factor).intoArray(out, oi + j);
            }
        }
    }

    /** Values per block: a block's intermediate results wait in L1-sized scratch for the next pass. */
    private static final int BLOCK = 512;

    /**
     * One pass of GELU over n (whole vectors) values from x[xi], with the block's scratch a (the
     * Gaussian factor) and b (the tail Phi(-|x|)); out and g from oi.
     */
    private interface Pass {
        void run(float[] x, int xi, float[] a, float[] b, float[] out, float[] g, int oi, int n);
    }

    /*
     * GELU runs as short passes called through this interface. The JIT stops inlining the Vector API
     * in a loop that holds both exps and the erfc polynomial, and then allocates every vector on the
     * heap; a pass called through a megamorphic interface is compiled on its own, within budget.
     */
    private static final Pass GAUSSIAN = (x, xi, a, b, out, g, oi, n) -> gaussian(x, xi, a, n);
    private static final Pass CDF = (x, xi, a, b, out, g, oi, n) -> normalTail(x, xi, a, b, n);
    private static final Pass[] FORWARD = {GAUSSIAN, CDF, (x, xi, a, b, out, g, oi, n) -> product(x, xi, b, out, oi, n)};
    private static final Pass[] BACKWARD = {GAUSSIAN, CDF, (x, xi, a, b, out, g, oi, n) -> slope(x, xi, a, b, g, oi, n)};

    /**
     * GELU over [s, e) in blocks of three passes (Gaussian, tail, product or slope). Whole vectors run
     * in place; a last partial one goes through zero-padded copies instead of masked loops.
     */
    private static void geluChunk(float[] x, int xo, float[] out, float[] g, int s, int e) {
        Pass[] passes = g == null ? FORWARD : BACKWARD;
        float[] gauss = new float[BLOCK], cdf = new float[BLOCK];
        for (int b = s; b < e; b += BLOCK) {
            int len = Math.min(BLOCK, e - b), whole = SPECIES.loopBound(len);
            for (Pass pass : passes) pass.run(x, xo + b, gauss, cdf, out, g, b, whole);
            if (whole < len) {
                int rest = len - whole, at = b + whole;
                float[] xt = new float[LANES], ot = new float[LANES];
                System.arraycopy(x, xo + at, xt, 0, rest);
                if (g != null) System.arraycopy(g, at, ot, 0, rest);
                for (Pass pass : passes) pass.run(xt, 0, gauss, cdf, ot, ot, 0, LANES);
                System.arraycopy(ot, 0, out, at, rest);
            }
        }
    }

    /** {@code gauss[j] = e^(-x²/2)} for n (whole vectors) values from x[xi], with x·x's rounding error (FMA) folded back in. */
    static void gaussian(float[] x, int xi, float[] gauss, int n) {
        for (int j = 0; j < n; j += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xi + j);
            FloatVector sq = v.mul(v);
            FloatVector sqErr = v.fma(v, sq.neg());
            VectorMath.exp(sq.mul(-0.5f)).mul(sqErr.mul(-0.5f).add(1f)).intoArray(gauss, j);
        }
    }

    /**
     * {@code tail[j] = Phi(-|x|)} given {@code gauss[j] = e^(-x²/2)}: Phi(-|x|) = erfc(|x|/sqrt2)/2, with
     * {@code erfc(z) = t·e^(-z² + P(t))}, z = |x|/sqrt2, t = 1/(1 + z/2) (Numerical Recipes erfcc,
     * fractional error below 1.2e-7); {@code e^(-z²)} is the Gaussian factor.
     */
    static void normalTail(float[] x, int xi, float[] gauss, float[] tail, int n) {
        for (int j = 0; j < n; j += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xi + j);
            FloatVector z = v.abs().mul(VectorMath.INV_SQRT2);
            FloatVector t = VectorMath.c(1f).div(z.fma(0.5f, 1f));
            FloatVector poly = t.fma(0.17087277f, -0.82215223f).fma(t, VectorMath.c(1.48851587f))
                    .fma(t, VectorMath.c(-1.13520398f)).fma(t, VectorMath.c(0.27886807f)).fma(t, VectorMath.c(-0.18628806f))
                    .fma(t, VectorMath.c(0.09678418f)).fma(t, VectorMath.c(0.37409196f)).fma(t, VectorMath.c(1.00002368f))
                    .fma(t, VectorMath.c(-1.26551223f));
            t.mul(FloatVector.fromArray(SPECIES, gauss, j)).mul(VectorMath.exp(poly)).mul(0.5f).intoArray(tail, j);
        }
    }

    /**
     * {@code out = x·Phi(x)} from oi, given {@code tail = Phi(-|x|)}: {@code x·tail} for x <= 0 and
     * {@code x - x·tail} (one rounding, by FMA) above, rather than x times a rounded Phi near 1.
     */
    static void product(float[] x, int xi, float[] tail, float[] out, int oi, int n) {
        for (int j = 0; j < n; j += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xi + j), tl = FloatVector.fromArray(SPECIES, tail, j);
            v.mul(tl).blend(v.neg().fma(tl, v), v.compare(VectorOperators.GT, 0f)).intoArray(out, oi + j);
        }
    }

    /**
     * {@code g *= Phi(x) + x·phi(x)}, GELU's slope, in place from oi, given {@code tail = Phi(-|x|)}:
     * {@code x·phi + tail} for x <= 0 and {@code 1 + (x·phi - tail)} above.
     */
    static void slope(float[] x, int xi, float[] gauss, float[] tail, float[] g, int oi, int n) {
        FloatVector pdfScale = VectorMath.c(VectorMath.INV_SQRT_2PI);
        for (int j = 0; j < n; j += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xi + j), tl = FloatVector.fromArray(SPECIES, tail, j);
            VectorMask<Float> positive = v.compare(VectorOperators.GT, 0f);
            FloatVector m = v.mul(pdfScale).fma(FloatVector.fromArray(SPECIES, gauss, j), tl.blend(tl.neg(), positive));
            FloatVector slope = m.blend(m.add(1f), positive);
            FloatVector.fromArray(SPECIES, g, oi + j).mul(slope).intoArray(g, oi + j);
        }
    }
}
