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

    /** Heads q (B, H, Tq, hd), k and v (B, H, T, hd) -> merged y (B, Tq, C). */
    private static Tensor attend(Tensor q, Tensor k, Tensor v, boolean causal, int b, int tq, int c) {
        int hd = q.dim(-1);
        Tensor scores = ElementwiseReference.scale(Linalg.matmul(q, k, false, true), (float) (1 / Math.sqrt(hd))); // (B, H, Tq, T)
        Tensor y = Linalg.matmul(NnOpsReference.softmax(scores, causal), v);                                    // (B, H, Tq, hd)
        return Shaping.reshape(ShapingReference.permute(y, 0, 2, 1, 3), b, tq, c);                             // (B, Tq, C)
    }
}
