package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.seemore.tensor.FastVsReference.assertClose;
import static org.seemore.tensor.FastVsReference.random;

import java.util.List;
import java.util.function.UnaryOperator;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Invariants and hand-worked cases of the ops Hugging Face's decoders and vision towers need, beyond
 * what the pair harness compares: RMSNorm, the sigmoid-gated activations, rotary embeddings and
 * their tables, grouped-query attention with a padding mask.
 */
class LanguageModelOpsTest {
    private final Rng rng = new Rng(2024);

    // ---- RMSNorm and activations ----------------------------------------------------------------

    @Test
    void rmsNormOfAHandWorkedRowUsesTheWeightItself() {
        Tensor x = Tensor.of(new float[] {3f, 4f, 0f, -3f, -4f, 0f}, 2, 3), w = Tensor.of(new float[] {1f, 0.5f, 2f}, 3);
        double rms = Math.sqrt(25.0 / 3 + 1e-5); // mean of 9, 16, 0
        float[] want = {(float) (3 / rms), (float) (0.5 * 4 / rms), 0f, (float) (-3 / rms), (float) (0.5 * -4 / rms), 0f};
        assertClose("rmsNorm", NnOps.rmsNorm(x, w, 1e-5f).toArray(), want, 1e-6);
        assertThatThrownBy(() -> NnOps.rmsNorm(x, Tensor.of(new float[2], 2), 1e-5f)).hasMessageContaining("weight of [2]");
    }

    @Test
    void activationsAtHandWorkedPointsAndTheirLimits() {
        float[] points = {0f, 1f, -2.5f, 100f, -100f};
        float[] silu = Elementwise.silu(Tensor.of(points.clone(), 5)).toArray();
        float[] quick = Elementwise.quickGelu(Tensor.of(points.clone(), 5)).toArray();
        float[] tanh = Elementwise.geluTanh(Tensor.of(points.clone(), 5)).toArray();
        for (int i = 0; i < points.length; i++) {
            double v = points[i], u = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
            assertThat((double) silu[i]).as("silu(%s)", v).isCloseTo(v / (1 + Math.exp(-v)), Offset.offset(1e-6 * (1 + Math.abs(v))));
            assertThat((double) quick[i]).as("quick_gelu(%s)", v).isCloseTo(v / (1 + Math.exp(-1.702 * v)), Offset.offset(1e-6 * (1 + Math.abs(v))));
            assertThat((double) tanh[i]).as("gelu_tanh(%s)", v).isCloseTo(0.5 * v * (1 + Math.tanh(u)), Offset.offset(1e-6 * (1 + Math.abs(v))));
        }
        assertThat(silu[0]).isZero();
        assertThat(silu[3]).isEqualTo(100f); // e^-100 is below the float range: exactly x
        for (UnaryOperator<Tensor> f : List.<UnaryOperator<Tensor>>of(Elementwise::silu, Elementwise::quickGelu, Elementwise::geluTanh)) {
            Tensor x = Tensor.of(new float[] {-1000f, -100f, -20f, 20f, 100f, 1000f}, 6).requiresGrad(true); // e^-z overflows at the left
            Reductions.sumAll(f.apply(x)).backward();
            for (float g : x.grad()) assertThat(g).as("slope far from 0").isBetween(-1e-6f, 1 + 1e-6f);
        }
    }

    @Test
    void swigluIsSiluOfTheGateTimesTheUp() {
        Tensor gate = Tensor.of(new float[] {-1f, 0.5f, 2f}, 3), up = Tensor.of(new float[] {2f, -3f, 0.25f}, 3);
        float[] got = Elementwise.mul(Elementwise.silu(gate), up).toArray();
        for (int i = 0; i < 3; i++) {
            double g = gate.toArray()[i];
            assertThat((double) got[i]).isCloseTo(g / (1 + Math.exp(-g)) * up.toArray()[i], Offset.offset(1e-6));
        }
    }

    // ---- rotary embeddings ----------------------------------------------------------------------

    @Test
    void standardFrequenciesAreThetaToTheMinusTwoIOverD() {
        assertThat(RopeTable.standardFrequencies(4, 10_000f)).containsExactly(1f, 0.01f);
        float[] inv = RopeTable.standardFrequencies(64, 1_000_000f);
        for (int i = 0; i < 32; i++) assertThat((double) inv[i]).isCloseTo(Math.pow(1e6, -2.0 * i / 64), Offset.offset(2e-7 * inv[i]));
        assertThatThrownBy(() -> RopeTable.standardFrequencies(5, 10_000f)).hasMessageContaining("even head width");
    }

    @Test
    void llama3FrequenciesKeepTheHighOnesDivideTheLowOnesAndBlendBetween() {
        float[] inv = RopeTable.standardFrequencies(128, 500_000f), scaled = RopeTable.llama3Frequencies(inv, 8f, 1f, 4f, 8192);
        int kept = 0, divided = 0, blended = 0;
        for (int i = 0; i < inv.length; i++) {
            double wavelength = 2 * Math.PI / inv[i];
            if (wavelength < 8192 / 4.0) {
                assertThat(scaled[i]).as("frequency %d", i).isEqualTo(inv[i]);
                kept++;
            } else if (wavelength > 8192 / 1.0) {
                assertThat(scaled[i]).as("frequency %d", i).isEqualTo(inv[i] / 8f);
                divided++;
            } else {
                double smooth = (8192 / wavelength - 1) / (4 - 1);
                assertThat((double) scaled[i]).as("frequency %d", i).isCloseTo((1 - smooth) * inv[i] / 8 + smooth * inv[i], Offset.offset(1e-6 * inv[i]))
                        .isBetween(inv[i] / 8.0, (double) inv[i]);
                blended++;
            }
            if (i > 0) assertThat(scaled[i]).as("decreasing at %d", i).isLessThan(scaled[i - 1]);
        }
        assertThat(List.of(kept, divided, blended)).allMatch(count -> count > 0); // Llama 3.1's shape has all three
    }

    @Test
    void ropeAtPositionZeroIsTheIdentity() {
        Tensor x = random(rng, 3f, 2, 3, 2 * 64);
        Tensor rotated = Rope.apply(x, 2, LanguageModelPairs.table(64, 2), new int[] {0, 0, 0});
        assertThat(rotated.toArray()).containsExactly(x.toArray());
    }

    @Test
    void ropeOfOnePairTurnsItByPositionTimesFrequency() {
        RopeTable table = RopeTable.of(new float[] {1f}); // hd = 2: one pair, turned by `position` radians
        Tensor x = Tensor.of(new float[] {0.6f, -0.8f, 0.6f, -0.8f}, 1, 2, 2);
        float[] got = Rope.apply(x, 1, table, new int[] {3, 1000}).toArray();
        for (int r = 0; r < 2; r++) {
            double angle = r == 0 ? 3 : 1000, c = Math.cos(angle), s = Math.sin(angle);
            assertThat((double) got[2 * r]).isCloseTo(0.6 * c + 0.8 * s, Offset.offset(1e-6));
            assertThat((double) got[2 * r + 1]).isCloseTo(-0.8 * c + 0.6 * s, Offset.offset(1e-6));
        }
    }

    @Test
    void ropeKeepsTheLengthOfEveryPairAndItsTransposeTurnsItBack() {
        int hd = 64, half = hd / 2;
        RopeTable table = LanguageModelPairs.table(hd, 0);
        Tensor x = random(rng, 2f, 1, 4, 3 * hd);
        int[] positions = {1, 17, 4095, 70_000};
        float[] xd = x.toArray(), y = Rope.apply(x, 3, table, positions).toArray();
        for (int p = 0; p < xd.length; p++) {
            if (p % hd >= half) continue;
            double before = Math.hypot(xd[p], xd[p + half]), after = Math.hypot(y[p], y[p + half]);
            assertThat(after).as("pair at %d", p).isCloseTo(before, Offset.offset(1e-6 * (1 + before)));
        }
        float[] back = y.clone();
        RopeTable.Snapshot angles = table.covering(70_001);
        org.seemore.tensor.kernels.RopeKernel.rotate(back, 0, back, 4, 3, hd, positions, angles.cos(), angles.sin(), true);
        assertClose("rotated back", back, xd, 1e-6);
    }

    @Test
    void ropeScoresDependOnlyOnTheDistanceBetweenPositions() {
        int hd = 32;
        RopeTable table = LanguageModelPairs.table(hd, 1);
        Tensor q = random(rng, 1f, 1, 1, hd), k = random(rng, 1f, 1, 1, hd);
        double near = dot(Rope.apply(q, 1, table, new int[] {7}), Rope.apply(k, 1, table, new int[] {3}));
        double far = dot(Rope.apply(q, 1, table, new int[] {107}), Rope.apply(k, 1, table, new int[] {103}));
        assertThat(far).isCloseTo(near, Offset.offset(1e-4));
    }

    @Test
    void theTableGrowsWithoutChangingWhatItHeldAndRefusesWhatItCannotHold() {
        RopeTable table = RopeTable.of(RopeTable.standardFrequencies(16, 10_000f)); // a fresh one: the pairs' tables are shared
        RopeTable.Snapshot small = table.covering(10), large = table.covering(5000);
        assertThat(small.positions()).isEqualTo(64);
        assertThat(large.positions()).isEqualTo(8192);
        assertThat(java.util.Arrays.copyOf(large.cos(), small.cos().length)).containsExactly(small.cos());
        assertThat(table.covering(100)).isSameAs(large);
        Tensor x = random(rng, 1f, 1, 2, 16);
        assertThatThrownBy(() -> Rope.apply(x, 1, table, new int[] {0, -1})).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> Rope.apply(x, 1, table, new int[] {0, 1, 2})).hasMessageContaining("3 rotary positions for 2 rows");
        assertThatThrownBy(() -> Rope.apply(x, 2, table, new int[] {0, 1})).hasMessageContaining("2 heads of 16");
        assertThatThrownBy(() -> table.covering(RopeTable.MAX_POSITIONS + 1)).hasMessageContaining("beyond the largest supported");
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += (double) a.toArray()[i] * b.toArray()[i];
        return s;
    }

    // ---- attention ------------------------------------------------------------------------------

    /** y and the gradients of q, k, v (or of the packed qkv) under the weights r. */
    private static List<float[]> run(List<Tensor> inputs, java.util.function.Function<List<Tensor>, Tensor> f) {
        List<Tensor> copies = inputs.stream().map(t -> Tensor.of(t.toArray(), t.shape()).requiresGrad(true)).toList();
        Tensor y = f.apply(copies);
        Reductions.sumAll(Elementwise.mul(y, Tensor.of(new Rng(5).uniform(y.size(), -1f, 1f), y.shape()))).backward();
        List<float[]> out = new java.util.ArrayList<>(List.of(y.toArray()));
        for (Tensor t : copies) out.add(t.grad().clone());
        return out;
    }

    @Test
    void groupedAttentionWithOneQueryHeadPerKvHeadIsMultiHeadAttentionToTheBit() {
        int b = 2, t = 9, heads = 3;
        for (int hd : new int[] {16, 64}) {
            for (boolean causal : new boolean[] {true, false}) {
                int c = heads * hd;
                Tensor qkv = random(rng, 2f, b, t, 3 * c);
                List<float[]> packed = run(List.of(qkv), in -> FusedAttention.selfAttention(in.get(0), heads, causal));
                Tensor q = Shaping.slice(qkv, 2, 0, c), k = Shaping.slice(qkv, 2, c, c), v = Shaping.slice(qkv, 2, 2 * c, c);
                List<float[]> separate = run(List.of(q, k, v), in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), heads, heads, causal, null));
                assertThat(separate.get(0)).as("y, hd=%d causal=%s", hd, causal).containsExactly(packed.get(0));
                float[] gradients = Shaping.concat(2, Tensor.of(separate.get(1), b, t, c), Tensor.of(separate.get(2), b, t, c),
                        Tensor.of(separate.get(3), b, t, c)).toArray();
                assertThat(gradients).as("gradients, hd=%d causal=%s", hd, causal).containsExactly(packed.get(1));
            }
        }
    }

    @Test
    void groupedAttentionIsAttentionOverKvHeadsRepeatedConsecutively() {
        int b = 2, t = 7, heads = 6, kvHeads = 2, hd = 16;
        Tensor q = random(rng, 2f, b, t, heads * hd), k = random(rng, 2f, b, t, kvHeads * hd), v = random(rng, 2f, b, t, kvHeads * hd);
        int[] mask = {1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1};
        List<float[]> grouped = run(List.of(q, k, v), in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), heads, kvHeads, true, mask));
        List<float[]> repeated = run(List.of(q, k, v), in -> FusedAttention.attention(in.get(0), repeat(in.get(1), kvHeads, heads / kvHeads, hd),
                repeat(in.get(2), kvHeads, heads / kvHeads, hd), heads, heads, true, mask));
        assertThat(grouped.get(0)).as("y").containsExactly(repeated.get(0));
        for (int i = 1; i <= 3; i++) assertClose("gradient of input " + i, grouped.get(i), repeated.get(i), 1e-6);
    }

    /** x (B, T, KV*hd) -> (B, T, KV*n*hd), each head repeated n times in place (HF's repeat_kv, written with concat). */
    private static Tensor repeat(Tensor x, int kvHeads, int n, int hd) {
        Tensor[] parts = new Tensor[kvHeads * n];
        for (int h = 0; h < parts.length; h++) parts[h] = Shaping.slice(x, 2, h / n * hd, hd);
        return Shaping.concat(2, parts);
    }

    @Test
    void aMaskOfAllOnesIsNoMaskAndMaskedKeysDoNotMatter() {
        int b = 2, t = 8, heads = 4, kvHeads = 2, hd = 32;
        Tensor q = random(rng, 2f, b, t, heads * hd), k = random(rng, 2f, b, t, kvHeads * hd), v = random(rng, 2f, b, t, kvHeads * hd);
        int[] ones = new int[b * t];
        java.util.Arrays.fill(ones, 1);
        for (boolean causal : new boolean[] {true, false}) {
            List<float[]> none = run(List.of(q, k, v), in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), heads, kvHeads, causal, null));
            List<float[]> all = run(List.of(q, k, v), in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), heads, kvHeads, causal, ones));
            for (int i = 0; i < 4; i++) assertThat(all.get(i)).as("array %d, causal=%s", i, causal).containsExactly(none.get(i));
        }
        int[] rightPadded = {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0};
        float[] y = FusedAttention.attention(q, k, v, heads, kvHeads, false, rightPadded).toArray();
        Tensor k2 = Tensor.of(k.toArray(), k.shape()), v2 = Tensor.of(v.toArray(), v.shape());
        for (int d = 0; d < kvHeads * hd; d++) { // new keys and values where the mask is 0
            k2.set(9f, 0, 6, d);
            v2.set(-9f, 1, 7, d);
        }
        assertThat(FusedAttention.attention(q, k2, v2, heads, kvHeads, false, rightPadded).toArray()).containsExactly(y);
    }

    @Test
    void aQueryThatSeesNoKeyGetsTheMeanOfAllValuesAsHfEagerAttentionDoes() {
        int t = 5, heads = 2, hd = 16;
        Tensor q = random(rng, 2f, 1, t, heads * hd), k = random(rng, 2f, 1, t, hd), v = random(rng, 2f, 1, t, hd);
        int[] leftPadded = {0, 0, 1, 1, 1}; // positions 0 and 1 see only padding
        Tensor y = FusedAttention.attention(q, k, v, heads, 1, true, leftPadded);
        for (int i = 0; i < 2; i++) {
            for (int h = 0; h < heads; h++) {
                for (int d = 0; d < hd; d++) {
                    double mean = 0;
                    for (int j = 0; j < t; j++) mean += v.get(0, j, d) / t; // all five keys, future and padded ones too
                    assertThat((double) y.get(0, i, h * hd + d)).isCloseTo(mean, Offset.offset(1e-6));
                }
            }
        }
        for (float value : y.toArray()) assertThat(value).isFinite();
        List<float[]> out = run(List.of(q, k, v), in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), heads, 1, true, leftPadded));
        for (int d = 0; d < 2 * heads * hd; d++) assertThat(out.get(1)[d]).as("no gradient for the blind queries' q").isZero();
    }

    @Test
    void badShapesAndMasksAreRefusedWithTheirSizes() {
        Tensor q = random(rng, 1f, 1, 3, 12), kv = random(rng, 1f, 1, 3, 4);
        assertThatThrownBy(() -> FusedAttention.attention(q, kv, kv, 3, 2, true, null)).hasMessageContaining("heads divisible by kv heads");
        assertThatThrownBy(() -> FusedAttention.attention(q, kv, kv, 4, 2, true, null)).hasMessageContaining("[1, 3, 4]");
        assertThatThrownBy(() -> FusedAttention.attention(q, kv, kv, 3, 1, true, new int[2])).hasMessageContaining("2 mask values for 1 x 3 keys");
        Tensor longQ = random(rng, 1f, 1, 4, 12);
        assertThatThrownBy(() -> FusedAttention.attention(longQ, kv, kv, 3, 1, true, null)).hasMessageContaining("4 queries over 3 keys");
    }
}
