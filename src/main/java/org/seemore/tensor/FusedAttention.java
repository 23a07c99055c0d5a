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

    /**
     * Attention with separate projections, grouped-query heads and an optional padding mask, as
     * Llama, Qwen2, Mixtral (causal) and the CLIP and SigLIP towers (not causal) compute it:
     * {@code q (B, Tq, H*hd)}, {@code k} and {@code v (B, Tk, KV*hd)} -> {@code y (B, Tq, H*hd)}, with
     * {@code softmax(q·kᵀ / sqrt(hd)) · v} per head, query head h reading kv head {@code h / (H / KV)}
     * (Hugging Face's {@code repeat_kv}: each kv head serves H/KV consecutive query heads; KV = H is
     * plain multi-head attention). Causal: query i sees keys {@code j <= i + Tk - Tq} (Tk - Tq cached
     * positions before the queries). {@code keyMask} (B*Tk values, null for none) is HF's
     * {@code attention_mask}: keys where it is 0 are left out for every query; a query left with no
     * key gets what HF's eager attention gives it: probability 1/Tk on every key, the mean of all Tk
     * values (HF adds finfo(float32).min to hidden scores, which leaves such a row all one value; see
     * {@link AttentionKernel.KeyMask}), and no gradient for its scores (they do not change it). Such
     * rows occur at the padded start of a left-padded sequence.
     *
     * <p>The forward runs (batch item, query head) pairs in parallel; the backward runs (batch item,
     * kv head) pairs, each adding its H/KV query heads' key and value gradients in head order, so
     * results do not depend on the number of threads.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, int heads, int kvHeads, boolean causal, int[] keyMask) {
        int[] qs = q.shape(), ks = k.shape();
        if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("grouped-query attention needs heads divisible by kv heads, got " + heads + " and " + kvHeads);
        }
        if (qs.length != 3 || ks.length != 3 || !java.util.Arrays.equals(ks, v.shape()) || qs[0] != ks[0] || qs[2] % heads != 0
                || ks[2] * heads != qs[2] * kvHeads) {
            throw new IllegalArgumentException("attention needs q (B, Tq, H*hd) and k, v (B, Tk, KV*hd) for " + heads + " heads and " + kvHeads
                    + " kv heads, got " + Shapes.str(qs) + ", " + Shapes.str(ks) + " and " + Shapes.str(v.shape()));
        }
        int b = qs[0], tq = qs[1], tk = ks[1], c = qs[2], hd = c / heads, ckv = ks[2], group = heads / kvHeads;
        if (causal && tq > tk) throw new IllegalArgumentException("causal attention of " + tq + " queries over " + tk + " keys: the queries must be the last keys");
        if (keyMask != null && keyMask.length != b * tk) throw new IllegalArgumentException(keyMask.length + " mask values for " + b + " x " + tk + " keys");
        int[] mask = keyMask == null ? null : keyMask.clone();
        float scale = (float) (1 / Math.sqrt(hd));
        float[] qd = q.data(), kd = k.data(), vd = v.data(), y = StepArena.uninitialized(b * tq * c);
        int qo = q.offset(), ko = k.offset(), vo = v.offset();
        boolean keep = GradMode.isEnabled() && (q.requiresGrad() || k.requiresGrad() || v.requiresGrad());
        int pw = AttentionKernel.probsWidth(tk, hd), scratchSize = AttentionKernel.scratchSize(tq, tk, hd);
        float[] probs = keep ? StepArena.zeroed(b * heads * tq * pw) : null; // (B, H, Tq, pw), for the backward pass
        Parallel.parallelFor(b * heads, task -> {
            int bi = task / heads, h = task % heads, kvBase = bi * tk * ckv + h / group * hd;
            float[] work = scratch(scratchSize + (keep ? 0 : tq * pw));
            AttentionKernel.forward(new Strided(qd, qo + bi * tq * c + h * hd, c), new Strided(kd, ko + kvBase, ckv), new Strided(vd, vo + kvBase, ckv),
                    tq, tk, hd, causal, keyMask(mask, bi, tk), scale, keep ? probs : work, keep ? task * tq * pw : scratchSize,
                    new Strided(y, bi * tq * c + h * hd, c), work);
        });
        Tensor out = Tensor.result(y, new int[] {b, tq, c}, o -> {
            float[] gy = o.grad(), gq = gradient(q), gk = gradient(k), gv = gradient(v);
            Parallel.parallelFor(b * kvHeads, task -> {
                int bi = task / kvHeads, kvh = task % kvHeads, kvBase = bi * tk * ckv + kvh * hd;
                for (int h = kvh * group; h < (kvh + 1) * group; h++) { // the query heads of this kv head, in order
                    int qBase = bi * tq * c + h * hd;
                    AttentionKernel.backward(new Strided(qd, qo + qBase, c), new Strided(kd, ko + kvBase, ckv), new Strided(vd, vo + kvBase, ckv),
                            tq, tk, hd, causal, keyMask(mask, bi, tk), scale, probs, (bi * heads + h) * tq * pw, new Strided(gy, qBase, c),
                            new Strided(gq, qBase, c), new Strided(gk, kvBase, ckv), new Strided(gv, kvBase, ckv), scratch(scratchSize));
                }
            });
        }, q, k, v);
        if (probs != null) StepArena.tie(out, probs); // given back once the backward step has read them
        return out;
    }

    /** Where an input's gradient goes: its buffer, or a throwaway one for an input that wants none (a frozen projection's output). */
    private static float[] gradient(Tensor x) {
        return x.requiresGrad() ? x.gradBuffer() : new float[x.size()];
    }

    private static AttentionKernel.KeyMask keyMask(int[] mask, int batchItem, int tk) {
        return mask == null ? null : new AttentionKernel.KeyMask(mask, batchItem * tk);
    }
}
