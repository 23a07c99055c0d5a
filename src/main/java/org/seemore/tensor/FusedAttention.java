package org.seemore.tensor;

import org.seemore.tensor.kernels.AttentionKernel;
import org.seemore.tensor.kernels.AttentionKernel.Strided;
import org.seemore.tensor.kernels.Parallel;

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017) as one op on the output of a fused
 * qkv projection. Legend: B batch, T positions, C width, H heads, hd = C / H.
 *
 * <p>{@code qkv (B, T, 3C)} holds, per position, the queries, then the keys, then the values, each
 * C wide and split into H heads of hd. Each (batch item, head) pair reads its q, k, v straight out
 * of that buffer (offsets and a leading dimension of 3C) and writes its output into its columns of
 * {@code y (B, T, C)}: none of the head-splitting permutes, scaled-score or probability copies of
 * {@link #reference} exist. The pairs run in parallel on the kernel pool, forward and backward, and
 * the backward writes straight into the qkv gradient. Only the probabilities (B, H, T, T) are kept
 * (each row padded to whole vectors when the heads take the direct loops).
 */
public final class FusedAttention {
    private FusedAttention() {}

    /** Per-thread room for one head's work: transposed keys or values, score gradients, probabilities without grad. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    /** qkv (B, T, 3C) -> y (B, T, C): softmax(q·kᵀ / sqrt(hd)) · v per head, causal or not. */
    public static Tensor selfAttention(Tensor qkv, int heads, boolean causal) {
        int[] s = qkv.shape();
        if (s.length != 3 || s[2] % (3 * heads) != 0) {
            throw new IllegalArgumentException("attention needs qkv (B, T, 3C) with C divisible by " + heads + " heads, got " + Shapes.str(s));
        }
        int b = s[0], t = s[1], c = s[2] / 3, hd = c / heads, c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(hd));
        float[] qd = qkv.data(), y = StepArena.uninitialized(b * t * c);
        int qo = qkv.offset();
        boolean keep = GradMode.isEnabled() && qkv.requiresGrad();
        int pw = AttentionKernel.probsWidth(t, hd), scratchSize = AttentionKernel.scratchSize(t, t, hd);
        // (B, H, T, pw), for the backward pass; exactly as long as asked, since the kernel's last row depends on the array's end
        float[] probs = keep ? StepArena.zeroedExact(b * heads * t * pw) : null;
        Parallel.parallelFor(b * heads, task -> {
            int bi = task / heads, h = task % heads, base = qo + bi * t * c3 + h * hd;
            float[] work = scratch(scratchSize + (keep ? 0 : t * pw));
            AttentionKernel.forward(new Strided(qd, base, c3), new Strided(qd, base + c, c3), new Strided(qd, base + 2 * c, c3),
                    t, t, hd, causal, scale, keep ? probs : work, keep ? task * t * pw : scratchSize, new Strided(y, bi * t * c + h * hd, c), work);
        });
        Tensor out = Tensor.result(y, new int[] {b, t, c}, o -> {
            float[] gy = o.grad(), gq = qkv.gradBuffer();
            Parallel.parallelFor(b * heads, task -> {
                int bi = task / heads, h = task % heads, base = bi * t * c3 + h * hd;
                Strided gyHead = new Strided(gy, bi * t * c + h * hd, c);
                AttentionKernel.backward(new Strided(qd, qo + base, c3), new Strided(qd, qo + base + c, c3), new Strided(qd, qo + base + 2 * c, c3),
                        t, t, hd, causal, scale, probs, task * t * pw, gyHead,
                        new Strided(gq, base, c3), new Strided(gq, base + c, c3), new Strided(gq, base + 2 * c, c3), scratch(scratchSize));
            });
        }, qkv);
        if (probs != null) StepArena.tie(out, probs); // given back once the backward step has read them
        return out;
    }

    /**
     * The same attention from the separate ops, as a model would write it: split the heads with a
     * reshape and permute, {@code q·kᵀ}, scale, softmax, {@code ·v}, merge the heads back. Plain
     * versions of the permute, scale and softmax. {@link #selfAttention} is tested against it.
     */
    static Tensor reference(Tensor qkv, int heads, boolean causal) {
        int b = qkv.dim(0), t = qkv.dim(1), c = qkv.dim(2) / 3, hd = c / heads;
        Tensor split = ShapingReference.permute(Shaping.reshape(qkv, b, t, 3, heads, hd), 2, 0, 3, 1, 4); // (3, B, H, T, hd)
        Tensor q = Shaping.select(split, 0), k = Shaping.select(split, 1), v = Shaping.select(split, 2);
        Tensor scores = ElementwiseReference.scale(Linalg.matmul(q, k, false, true), (float) (1 / Math.sqrt(hd))); // (B, H, T, T)
        Tensor y = Linalg.matmul(NnOpsReference.softmax(scores, causal), v);                                    // (B, H, T, hd)
        return Shaping.reshape(ShapingReference.permute(y, 0, 2, 1, 3), b, t, c);                              // (B, T, C)
    }
}
