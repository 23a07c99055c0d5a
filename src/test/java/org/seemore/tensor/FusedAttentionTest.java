package org.seemore.tensor;

import static org.seemore.tensor.FastVsReference.compare;
import static org.seemore.tensor.FastVsReference.random;

import org.junit.jupiter.api.Test;

/** The fused attention op against the same attention built from separate plain ops. */
class FusedAttentionTest {
    private final Rng rng = new Rng(31);

    private void check(int b, int t, int heads, int hd, boolean causal) {
        Tensor qkv = random(rng, 2f, b, t, 3 * heads * hd);
        compare(String.format("attention B=%d T=%d H=%d hd=%d causal=%s", b, t, heads, hd, causal),
                in -> FusedAttention.selfAttention(in.get(0), heads, causal),
                in -> FusedAttentionReference.selfAttention(in.get(0), heads, causal), qkv);
    }

    @Test
    void oddShapesCausalAndNot() {
        for (boolean causal : new boolean[] {false, true}) {
            for (int t : new int[] {1, 3, 17, 33}) {
                check(2, t, 3, 5, causal);
                check(1, t, 1, 17, causal);
            }
            check(3, 65, 2, 16, causal); // direct loops
            check(2, 17, 2, 32, causal);
            check(2, 9, 1, 64, causal);  // GEMM
        }
    }

    @Test
    void modelSizedAttentionRunsThePairsInParallel() {
        check(4, 37, 8, 64, false); // the ViT's
        check(4, 65, 8, 16, true);  // the decoder's
    }

    @Test
    void noGradForwardEqualsTheRecordedOne() {
        Tensor qkv = random(rng, 2f, 2, 9, 3 * 4 * 3);
        float[] recorded = FusedAttention.selfAttention(qkv, 4, true).toArray();
        try (var g = GradMode.noGrad()) {
            FastVsReference.assertClose("no-grad attention", FusedAttention.selfAttention(qkv, 4, true).toArray(), recorded, 0);
        }
    }

    @Test
    void queryAttentionMatchesThePlainOps() {
        for (int[] s : new int[][] {{2, 1, 17, 3, 5}, {1, 3, 33, 1, 17}, {3, 1, 37, 2, 16}, {2, 2, 9, 2, 32}, {2, 1, 37, 2, 64}}) {
            int b = s[0], tq = s[1], t = s[2], heads = s[3], hd = s[4];
            Tensor q = random(rng, 2f, b, tq, heads * hd), kv = random(rng, 2f, b, t, 2 * heads * hd);
            compare(String.format("query attention B=%d Tq=%d T=%d H=%d hd=%d", b, tq, t, heads, hd),
                    in -> FusedAttention.queryAttention(in.get(0), in.get(1), heads),
                    in -> FusedAttentionReference.queryAttention(in.get(0), in.get(1), heads), q, kv);
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
