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
 * {@code j <= i + tk - tq} (the last tq keys are the queries' own positions, as in a KV cache). A
 * {@link KeyMask} hides keys besides (padding). The probabilities are kept as tq rows of
 * {@link #probsWidth} values.
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
     * Keys a head's queries may not see besides the causal rule, as Hugging Face's
     * {@code attention_mask}: key j counts when {@code keep[offset + j] != 0}. A query left with no
     * key gets probability 1/tk on every key, as HF's eager attention gives it (see the masked
     * {@code forward}).
     */
    public record KeyMask(int[] keep, int offset) {
        /**
         * Sets to -inf the scores of row {@code s[row ..]} among its first {@code seen} that it may
         * not see: masked keys, and keys from {@code limit} on (the causal limit). Whether any is left.
         */
        boolean hide(float[] s, int row, int seen, int limit) {
            boolean any = false;
            for (int j = 0; j < seen; j++) {
                if (j < limit && keep[offset + j] != 0) {
                    any = true;
                } else {
                    s[row + j] = Float.NEGATIVE_INFINITY;
                }
            }
            return any;
        }

        /** The first key kept, or tk when none is. */
        int firstKept(int tk) {
            int j = 0;
            while (j < tk && keep[offset + j] == 0) j++;
            return j;
        }
    }

    /**
     * The columns each query row works on: all tk, or the causal prefix. With a mask the products
     * keep that prefix unless some row sees no key at all (then every row takes all tk columns: that
     * row's probabilities spread over all of them, which the prefix shape of the products cannot
     * hold); the columns a row may not see then hold probability 0.
     */
    private static HeadProducts.Visible columns(int tq, int tk, boolean causal, KeyMask mask) {
        if (mask == null) return visible(tq, tk, causal);
        int first = mask.firstKept(tk);
        boolean someRowSeesNothing = first == tk || (causal && first >= tk - tq + 1); // row 0 sees keys below tk - tq + 1
        return visible(tq, tk, causal && !someRowSeesNothing); // the same two shapes as without a mask: no third Visible class at the call sites
    }

    /** Probability 1/tk on each of the tk columns of a row that sees no key (HF eager's finfo.min rows), zeros beyond. */
    private static void uniform(float[] p, int row, int tk, int width) {
        Arrays.fill(p, row, row + tk, 1f / tk);
        Arrays.fill(p, row + tk, row + width, 0f);
    }

    /**
     * {@code y = softmax(scale · q·kᵀ) · v} for one head, keeping the probabilities in
     * {@code probs[pOff ..]} (tq rows of {@link #probsWidth}) for the backward pass.
     */
    public static void forward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, float scale,
                               float[] probs, int pOff, Strided y, float[] scratch) {
        forward(q, k, v, tq, tk, hd, causal, null, scale, probs, pOff, y, scratch);
    }

    /**
     * As {@link #forward(Strided, Strided, Strided, int, int, int, boolean, float, float[], int, Strided, float[])},
     * with the keys a {@link KeyMask} drops left out (null: none). A query that sees no key at all
     * (every key before it masked) gets the probabilities Hugging Face's eager attention gives it:
     * there every hidden score is {@code score + finfo(float32).min}, which rounds to exactly
     * finfo.min, so such a row is all one value and its softmax is uniform over all tk keys, future
     * and masked ones included; its output is the mean of the tk values (finite, never NaN). It does
     * not depend on the row's scores, so the backward gives them no gradient (PyTorch's autograd
     * would pass a softmax gradient through the rounded-away sum; a loss never reaches those rows,
     * the padded positions, so the two agree wherever it matters).
     */
    public static void forward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, KeyMask mask, float scale,
                               float[] probs, int pOff, Strided y, float[] scratch) {
        int width = probsWidth(tk, hd);
        HeadProducts.Visible visible = columns(tq, tk, causal, mask);
        if (direct(hd)) {
            HeadProducts.transpose(k.data(), k.offset(), k.ld(), tk, hd, scratch, width);
            HeadProducts.scores(q.data(), q.offset(), q.ld(), scratch, hd, probs, pOff, width, tq, visible);
        } else {
            Gemm.gemm(false, true, tq, tk, hd, q.data(), q.offset(), q.ld(), k.data(), k.offset(), k.ld(), probs, pOff, width, false);
        }
        for (int i = 0; i < tq; i++) {
            int row = pOff + i * width, seen = visible.of(i);
            if (mask != null && !mask.hide(probs, row, seen, causal ? i + tk - tq + 1 : tk)) {
                uniform(probs, row, tk, width);
            } else {
                SoftmaxKernel.row(probs, row, probs, row, seen, width, scale);
            }
        }
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
        backward(q, k, v, tq, tk, hd, causal, null, scale, probs, pOff, gy, gq, gk, gv, scratch);
    }

    /** The gradients of the masked forward ({@code mask} as given to it; null: none), as the backward above. */
    public static void backward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, KeyMask mask, float scale,
                                float[] probs, int pOff, Strided gy, Strided gq, Strided gk, Strided gv, float[] scratch) {
        int width = probsWidth(tk, hd), ds = hd * width; // scratch: [transposed v | dP, then dS]
        HeadProducts.Visible visible = columns(tq, tk, causal, mask);
        if (direct(hd)) {
            HeadProducts.transpose(v.data(), v.offset(), v.ld(), tk, hd, scratch, width);
            HeadProducts.scores(gy.data(), gy.offset(), gy.ld(), scratch, hd, scratch, ds, width, tq, visible);
            HeadProducts.combine(probs, pOff, width, true, visible, tq, gy.data(), gy.offset(), gy.ld(), gv.data(), gv.offset(), gv.ld(), tk, hd);
        } else {
            Gemm.gemm(false, true, tq, tk, hd, gy.data(), gy.offset(), gy.ld(), v.data(), v.offset(), v.ld(), scratch, ds, width, false);
            Gemm.gemm(true, false, tk, hd, tq, probs, pOff, width, gy.data(), gy.offset(), gy.ld(), gv.data(), gv.offset(), gv.ld(), true);
        }
        int firstKept = mask == null ? 0 : mask.firstKept(tk);
        for (int i = 0; i < tq; i++) { // dS over the visible columns, zeros beyond (the products skip or multiply them)
            int row = ds + i * width, seen = visible.of(i);
            if (firstKept >= (causal ? Math.min(tk, i + tk - tq + 1) : tk)) { // a row that sees no key does not depend on its scores
                Arrays.fill(scratch, row, row + width, 0f);
                continue;
            }
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
