package org.seemore.tensor;

/**
 * The plain versions of {@link FusedAttention} that it is tested against: the same attention from
 * the separate ops, as a model would write it: split the heads with a reshape and permute,
 * {@code q·kᵀ}, scale, softmax, {@code ·v}, merge the heads back, with the plain permute, scale and
 * softmax. Legend: B batch, T positions, Tq queries, C width, H heads, hd = C / H.
 */
final class FusedAttentionReference {
    private FusedAttentionReference() {}

    /** qkv (B, T, 3C) -> y (B, T, C): softmax(q·kᵀ / sqrt(hd)) · v per head, causal or not. */
    static Tensor selfAttention(Tensor qkv, int heads, boolean causal) {
        int b = qkv.dim(0), t = qkv.dim(1), c = qkv.dim(2) / 3, hd = c / heads;
        Tensor split = ShapingReference.permute(Shaping.reshape(qkv, b, t, 3, heads, hd), 2, 0, 3, 1, 4); // (3, B, H, T, hd)
        return attend(Shaping.select(split, 0), Shaping.select(split, 1), Shaping.select(split, 2), causal, b, t, c);
    }

    /** q (B, Tq, C) and kv (B, T, 2C), keys then values per position -> y (B, Tq, C), not causal. */
    static Tensor queryAttention(Tensor q, Tensor kv, int heads) {
        int b = q.dim(0), tq = q.dim(1), t = kv.dim(1), c = q.dim(2), hd = c / heads;
        Tensor qh = ShapingReference.permute(Shaping.reshape(q, b, tq, heads, hd), 0, 2, 1, 3);           // (B, H, Tq, hd)
        Tensor split = ShapingReference.permute(Shaping.reshape(kv, b, t, 2, heads, hd), 2, 0, 3, 1, 4); // (2, B, H, T, hd)
        return attend(qh, Shaping.select(split, 0), Shaping.select(split, 1), false, b, tq, c);
    }

    /**
     * q (B, Tq, H*hd), k and v (B, Tk, KV*hd) -> y (B, Tq, H*hd), as Hugging Face's eager attention
     * writes it: repeat each kv head H/KV times ({@code repeat_kv}), scores {@code q·kᵀ / sqrt(hd)},
     * plus an additive mask of {@code finfo(float32).min} (-Float.MAX_VALUE) on future keys and on
     * keys whose {@code keyMask} is 0, softmax, times v. A row with every key hidden is then uniform.
     */
    static Tensor attention(Tensor q, Tensor k, Tensor v, int heads, int kvHeads, boolean causal, int[] keyMask) {
        int b = q.dim(0), tq = q.dim(1), tk = k.dim(1), c = q.dim(2), hd = c / heads;
        Tensor qh = ShapingReference.permute(Shaping.reshape(q, b, tq, heads, hd), 0, 2, 1, 3);                    // (B, H, Tq, hd)
        Tensor kh = repeatKv(k, b, tk, heads, kvHeads, hd), vh = repeatKv(v, b, tk, heads, kvHeads, hd);            // (B, H, Tk, hd)
        Tensor scores = ElementwiseReference.scale(Linalg.matmul(qh, kh, false, true), (float) (1 / Math.sqrt(hd))); // (B, H, Tq, Tk)
        float[] mask = new float[b * tq * tk], sees = new float[b * tq];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    boolean hidden = (causal && j > i + tk - tq) || (keyMask != null && keyMask[bi * tk + j] == 0);
                    mask[(bi * tq + i) * tk + j] = hidden ? -Float.MAX_VALUE : 0f;
                    if (!hidden) sees[bi * tq + i] = 1f;
                }
            }
        }
        // a row that sees no key is finfo.min throughout once its scores are added (they round away): times 0, they
        // also get no gradient, as the function computed does not depend on them; times 1, the other rows are unchanged
        scores = ElementwiseReference.mul(scores, Tensor.of(sees, b, 1, tq, 1));
        scores = ElementwiseReference.add(scores, Tensor.of(mask, b, 1, tq, tk));
        Tensor y = Linalg.matmul(NnOpsReference.softmax(scores, false), vh);                                      // (B, H, Tq, hd)
        return Shaping.reshape(ShapingReference.permute(y, 0, 2, 1, 3), b, tq, c);                                // (B, Tq, H*hd)
    }

    /** x (B, T, KV*hd) -> (B, H, T, hd), kv head h / (H/KV) as query head h's: HF's repeat_kv, by row selection. */
    private static Tensor repeatKv(Tensor x, int b, int t, int heads, int kvHeads, int hd) {
        Tensor split = ShapingReference.permute(Shaping.reshape(x, b, t, kvHeads, hd), 0, 2, 1, 3); // (B, KV, T, hd)
        int[] rows = new int[b * heads];
        for (int i = 0; i < rows.length; i++) rows[i] = i / heads * kvHeads + i % heads / (heads / kvHeads);
        return Shaping.reshape(IndexingReference.indexSelect(Shaping.reshape(split, b * kvHeads, t * hd), rows), b, heads, t, hd);
    }

    /** Heads q (B, H, Tq, hd), k and v (B, H, T, hd) -> merged y (B, Tq, C). */
    private static Tensor attend(Tensor q, Tensor k, Tensor v, boolean causal, int b, int tq, int c) {
        int hd = q.dim(-1);
        Tensor scores = ElementwiseReference.scale(Linalg.matmul(q, k, false, true), (float) (1 / Math.sqrt(hd))); // (B, H, Tq, T)
        Tensor y = Linalg.matmul(NnOpsReference.softmax(scores, causal), v);                                    // (B, H, Tq, hd)
        return Shaping.reshape(ShapingReference.permute(y, 0, 2, 1, 3), b, tq, c);                             // (B, Tq, C)
    }
}
