package org.seemore.tensor;

import static org.seemore.tensor.FastVsReference.random;

import org.junit.jupiter.api.Test;

/** What the pair harness does not see of {@link FusedAttention}: no-grad runs and the query-only form against the full one. */
class FusedAttentionTest {
    private final Rng rng = new Rng(31);

    @Test
    void noGradForwardEqualsTheRecordedOne() {
        Tensor qkv = random(rng, 2f, 2, 9, 3 * 4 * 3);
        float[] recorded = FusedAttention.selfAttention(qkv, 4, true).toArray();
        try (var g = GradMode.noGrad()) {
            FastVsReference.assertClose("no-grad attention", FusedAttention.selfAttention(qkv, 4, true).toArray(), recorded, 0);
        }
    }

    @Test
    void queryAttentionOfTheFirstRowsIsThoseRowsOfSelfAttention() {
        int b = 2, t = 11, heads = 3, hd = 16, c = heads * hd;
        Tensor qkv = random(rng, 2f, b, t, 3 * c);
        Tensor full = FusedAttention.selfAttention(qkv, heads, false);
        Tensor q = Shaping.slice(Shaping.slice(qkv, 2, 0, c), 1, 0, 2), kv = Shaping.slice(qkv, 2, c, 2 * c);
        FastVsReference.assertClose("first two rows", FusedAttention.queryAttention(q, kv, heads).toArray(),
                Shaping.slice(full, 1, 0, 2).toArray(), 1e-6);
    }
}
