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
 * the plain composition exist ({@link FusedAttentionReference}, which this is tested against). The
 * pairs run in parallel on the kernel pool, forward and backward, and the backward writes straight
 * into the qkv gradient. Only the probabilities (B, H, T, T) are kept (each row padded to whole
 * vectors when the heads take the direct loops).
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
        float[] probs = keep ? StepArena.zeroed(b * heads * t * pw) : null; // (B, H, T, pw), for the backward pass
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
     * Non-causal attention of a few queries over all positions: {@code q (B, Tq, C)} (queries of the
     * first Tq positions, say) and {@code kv (B, T, 2C)} (keys, then values, per position) ->
     * {@code y (B, Tq, C)}. The ViT's last block uses it when only the CLS row is read: the other
     * rows' queries, output projection and MLP would be computed for nothing.
     */
    public static Tensor queryAttention(Tensor q, Tensor kv, int heads) {
        int[] qs = q.shape(), ks = kv.shape();
        if (qs.length != 3 || ks.length != 3 || qs[0] != ks[0] || ks[2] != 2 * qs[2] || qs[2] % heads != 0) {
            throw new IllegalArgumentException("attention needs q (B, Tq, C) and kv (B, T, 2C) with C divisible by " + heads
                    + " heads, got " + Shapes.str(qs) + " and " + Shapes.str(ks));
        }
        int b = qs[0], tq = qs[1], t = ks[1], c = qs[2], hd = c / heads, c2 = 2 * c;
        float scale = (float) (1 / Math.sqrt(hd));
        float[] qd = q.data(), kd = kv.data(), y = StepArena.uninitialized(b * tq * c);
        int qo = q.offset(), ko = kv.offset();
        boolean keep = GradMode.isEnabled() && (q.requiresGrad() || kv.requiresGrad());
        int pw = AttentionKernel.probsWidth(t, hd), scratchSize = AttentionKernel.scratchSize(tq, t, hd);
        float[] probs = keep ? StepArena.zeroed(b * heads * tq * pw) : null; // (B, H, Tq, pw), for the backward pass
        Parallel.parallelFor(b * heads, task -> {
            int bi = task / heads, h = task % heads, qBase = qo + bi * tq * c + h * hd, kBase = ko + bi * t * c2 + h * hd;
            float[] work = scratch(scratchSize + (keep ? 0 : tq * pw));
            AttentionKernel.forward(new Strided(qd, qBase, c), new Strided(kd, kBase, c2), new Strided(kd, kBase + c, c2),
                    tq, t, hd, false, scale, keep ? probs : work, keep ? task * tq * pw : scratchSize, new Strided(y, bi * tq * c + h * hd, c), work);
        });
        Tensor out = Tensor.result(y, new int[] {b, tq, c}, o -> {
            float[] gy = o.grad(), gq = q.gradBuffer(), gkv = kv.gradBuffer();
            Parallel.parallelFor(b * heads, task -> {
                int bi = task / heads, h = task % heads, qBase = bi * tq * c + h * hd, kBase = bi * t * c2 + h * hd;
                AttentionKernel.backward(new Strided(qd, qo + qBase, c), new Strided(kd, ko + kBase, c2), new Strided(kd, ko + kBase + c, c2),
                        tq, t, hd, false, scale, probs, task * tq * pw, new Strided(gy, qBase, c),
                        new Strided(gq, qBase, c), new Strided(gkv, kBase, c2), new Strided(gkv, kBase + c, c2), scratch(scratchSize));
            });
        }, q, kv);
        if (probs != null) StepArena.tie(out, probs); // given back once the backward step has read them
        return out;
    }
}
