package org.seemore.tensor.kernels;

/**
 * Scaled dot-product attention of one head, forward and backward, on strided matrices: queries,
 * keys and values are read where they lie (a fused qkv buffer, a KV cache) through offsets and
 * leading dimensions, and the output is written into its place in a {@code (B, T, C)} buffer, so no
 * head is ever copied out. Products go through {@link Gemm}; the scaled, optionally causal softmax
 * through {@link SoftmaxKernel}.
 *
 * <p>Legend: tq queries attend to tk keys of width hd; with {@code causal}, query i sees keys
 * {@code j <= i + tk - tq} (the last tq keys are the queries' own positions, as in a KV cache).
 */
public final class AttentionKernel {
    private AttentionKernel() {}

    /** A matrix inside a larger array: row r, column c at {@code data[offset + r * ld + c]}. */
    public record Strided(float[] data, int offset, int ld) {}

    /**
     * {@code y = softmax(scale · q·kᵀ) · v} for one head, keeping the probabilities in
     * {@code probs[pOff ..]} (tq x tk, row-major) for the backward pass.
     */
    public static void forward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, float scale,
                               float[] probs, int pOff, Strided y) {
        Gemm.gemm(false, true, tq, tk, hd, q.data(), q.offset(), q.ld(), k.data(), k.offset(), k.ld(), probs, pOff, tk, false);
        for (int i = 0; i < tq; i++) {
            int visible = causal ? Math.min(tk, i + tk - tq + 1) : tk;
            SoftmaxKernel.row(probs, pOff + i * tk, probs, pOff + i * tk, visible, tk, scale);
        }
        Gemm.gemm(false, false, tq, hd, tk, probs, pOff, tk, v.data(), v.offset(), v.ld(), y.data(), y.offset(), y.ld(), false);
    }

    /**
     * The gradients of one head from {@code gy} (the output's gradient, where y was written), added
     * into gq, gk, gv. {@code scratch} holds at least tq x tk floats.
     *
     * <pre>
     * dP = gy · vᵀ          dv += Pᵀ · gy
     * dS = scale · P ⊙ (dP − rowsum(dP ⊙ P))     (the softmax backward)
     * dq += dS · k          dk += dSᵀ · q
     * </pre>
     */
    public static void backward(Strided q, Strided k, Strided v, int tq, int tk, int hd, float scale,
                                float[] probs, int pOff, Strided gy, Strided gq, Strided gk, Strided gv, float[] scratch) {
        Gemm.gemm(false, true, tq, tk, hd, gy.data(), gy.offset(), gy.ld(), v.data(), v.offset(), v.ld(), scratch, 0, tk, false);
        Gemm.gemm(true, false, tk, hd, tq, probs, pOff, tk, gy.data(), gy.offset(), gy.ld(), gv.data(), gv.offset(), gv.ld(), true);
        for (int i = 0; i < tq; i++) SoftmaxKernel.backwardRow(scratch, i * tk, probs, pOff + i * tk, scratch, i * tk, tk, scale);
        Gemm.gemm(false, false, tq, hd, tk, scratch, 0, tk, k.data(), k.offset(), k.ld(), gq.data(), gq.offset(), gq.ld(), true);
        Gemm.gemm(true, false, tk, hd, tq, scratch, 0, tk, q.data(), q.offset(), q.ld(), gk.data(), gk.offset(), gk.ld(), true);
    }
}
