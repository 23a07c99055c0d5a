package org.seemore.tensor.kernels;

import java.util.Arrays;

/**
 * Scaled dot-product attention of one head, forward and backward, on strided matrices: queries,
 * keys and values are read where they lie (a fused qkv buffer, a KV cache) through offsets and
 * leading dimensions, and the output is written into its place in a {@code (B, T, C)} buffer, so no
 * head is ever copied out. Heads whose width is a whole number of vectors use the direct loops of
 * {@link HeadProducts}; others go through {@link Gemm} (both are tested against
 * {@link AttentionKernelReference}). The scaled, optionally causal softmax is {@link SoftmaxKernel}'s.
 *
 * <p>Legend: tq queries attend to tk keys of width hd; with {@code causal}, query i sees keys
 * {@code j <= i + tk - tq} (the last tq keys are the queries' own positions, as in a KV cache). The
 * probabilities are kept as tq rows of {@link #probsWidth} values.
 */
public final class AttentionKernel {
    private AttentionKernel() {}

    /** A matrix inside a larger array: row r, column c at {@code data[offset + r * ld + c]}. */
    public record Strided(float[] data, int offset, int ld) {}

    /** {@code -Dseemore.attention.direct=false} sends every head through GEMM calls, to compare the two. */
    private static final boolean DIRECT = Boolean.parseBoolean(System.getProperty("seemore.attention.direct", "true"));

    /** Whether heads of this width use the direct loops (narrow heads: 16 or 32) rather than GEMM calls (faster from 64 on). */
    static boolean direct(int hd) {
        return DIRECT && hd % VectorMath.LANES == 0 && hd <= 2 * VectorMath.LANES;
    }

    /** The row length of the probabilities: tk, padded to whole vectors for the direct loops. */
    public static int probsWidth(int tk, int hd) {
        return direct(hd) ? HeadProducts.padded(tk) : tk;
    }

    /** Floats of scratch one head needs, forward or backward. */
    public static int scratchSize(int tq, int tk, int hd) {
        return (tq + hd) * probsWidth(tk, hd);
    }

    private static HeadProducts.Visible visible(int tq, int tk, boolean causal) {
        return causal ? i -> Math.min(tk, i + tk - tq + 1) : i -> tk;
    }

    /**
     * {@code y = softmax(scale · q·kᵀ) · v} for one head, keeping the probabilities in
     * {@code probs[pOff ..]} (tq rows of {@link #probsWidth}) for the backward pass.
     */
    public static void forward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, float scale,
                               float[] probs, int pOff, Strided y, float[] scratch) {
        int width = probsWidth(tk, hd);
        HeadProducts.Visible visible = visible(tq, tk, causal);
        if (direct(hd)) {
            HeadProducts.transpose(k.data(), k.offset(), k.ld(), tk, hd, scratch, width);
            HeadProducts.scores(q.data(), q.offset(), q.ld(), scratch, hd, probs, pOff, width, tq, visible);
        } else {
            Gemm.gemm(false, true, tq, tk, hd, q.data(), q.offset(), q.ld(), k.data(), k.offset(), k.ld(), probs, pOff, width, false);
        }
        for (int i = 0; i < tq; i++) SoftmaxKernel.row(probs, pOff + i * width, probs, pOff + i * width, visible.of(i), width, scale);
        if (direct(hd)) {
            for (int i = 0; i < tq; i++) Arrays.fill(y.data(), y.offset() + i * y.ld(), y.offset() + i * y.ld() + hd, 0f);
            HeadProducts.combine(probs, pOff, width, false, visible, tk, v.data(), v.offset(), v.ld(), y.data(), y.offset(), y.ld(), tq, hd);
        } else {
            Gemm.gemm(false, false, tq, hd, tk, probs, pOff, width, v.data(), v.offset(), v.ld(), y.data(), y.offset(), y.ld(), false);
        }
    }

    /**
     * The gradients of one head from {@code gy} (the output's gradient, where y was written), added
     * into gq, gk, gv. {@code scratch} holds at least {@link #scratchSize} floats.
     *
     * <pre>
     * dP = gy · vᵀ          dv += Pᵀ · gy
     * dS = scale · P ⊙ (dP − rowsum(dP ⊙ P))     (the softmax backward)
     * dq += dS · k          dk += dSᵀ · q
     * </pre>
     */
    public static void backward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, float scale,
                                float[] probs, int pOff, Strided gy, Strided gq, Strided gk, Strided gv, float[] scratch) {
        int width = probsWidth(tk, hd), ds = hd * width; // scratch: [transposed v | dP, then dS]
        HeadProducts.Visible visible = visible(tq, tk, causal);
        if (direct(hd)) {
            HeadProducts.transpose(v.data(), v.offset(), v.ld(), tk, hd, scratch, width);
            HeadProducts.scores(gy.data(), gy.offset(), gy.ld(), scratch, hd, scratch, ds, width, tq, visible);
            HeadProducts.combine(probs, pOff, width, true, visible, tq, gy.data(), gy.offset(), gy.ld(), gv.data(), gv.offset(), gv.ld(), tk, hd);
        } else {
            Gemm.gemm(false, true, tq, tk, hd, gy.data(), gy.offset(), gy.ld(), v.data(), v.offset(), v.ld(), scratch, ds, width, false);
            Gemm.gemm(true, false, tk, hd, tq, probs, pOff, width, gy.data(), gy.offset(), gy.ld(), gv.data(), gv.offset(), gv.ld(), true);
        }
        for (int i = 0; i < tq; i++) { // dS over the visible columns, zeros beyond (the products skip or multiply them)
            int row = ds + i * width, seen = visible.of(i);
            SoftmaxKernel.backwardRow(scratch, row, probs, pOff + i * width, scratch, row, seen, scale);
            Arrays.fill(scratch, row + seen, row + width, 0f);
        }
        if (direct(hd)) {
            HeadProducts.combine(scratch, ds, width, false, visible, tk, k.data(), k.offset(), k.ld(), gq.data(), gq.offset(), gq.ld(), tq, hd);
            HeadProducts.combine(scratch, ds, width, true, visible, tq, q.data(), q.offset(), q.ld(), gk.data(), gk.offset(), gk.ld(), tk, hd);
        } else {
            Gemm.gemm(false, false, tq, hd, tk, scratch, ds, width, k.data(), k.offset(), k.ld(), gq.data(), gq.offset(), gq.ld(), true);
            Gemm.gemm(true, false, tk, hd, tq, scratch, ds, width, q.data(), q.offset(), q.ld(), gk.data(), gk.offset(), gk.ld(), true);
        }
    }
}
