package org.seemore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.seemore.model.decoder.Decoder;
import org.seemore.model.decoder.DecoderConfig;
import org.seemore.model.moe.MoeConfig;
import org.seemore.model.moe.SparseMoe;
import org.seemore.model.vision.VitConfig;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

class VlmTest {

    @Test
    void seemorePresetHasTheOriginalsParameterCount() {
        Vlm model = new Vlm(Presets.get("seemore", 66), 1);
        assertThat(model.parameterCount()).isEqualTo(20_300_354L);
    }

    @Test
    void configRejectsInconsistentSettingsWithAHint() {
        VlmConfig ok = Presets.get("tiny", 20);
        VitConfig vit = (VitConfig) ok.vision();
        DecoderConfig decoder = (DecoderConfig) ok.language();
        assertThatThrownBy(() -> vit.withHeads(5)).hasMessageContaining("vit_dim 64 must be divisible by vit_heads 5");
        assertThatThrownBy(() -> MoeConfig.of(4, 5)).hasMessageContaining("top_k 5 must not exceed num_experts 4");
        assertThatThrownBy(() -> vit.withImageSize(30)).hasMessageContaining("multiple of patch_size");
        assertThatThrownBy(() -> decoder.withHeads(5)).hasMessageContaining("n_embd 32 must be divisible by n_head 5");
        assertThatThrownBy(() -> ok.withLanguage(decoder.withMaxPositions(1))).hasMessageContaining("max_pos 1 leaves no room for text");
        assertThatThrownBy(() -> ok.withDropout(1)).hasMessageContaining("dropout must be in [0, 1)");
        assertThat(VlmConfig.fromJson(ok.toJson())).isEqualTo(ok);
        assertThatThrownBy(() -> VlmConfig.fromJson("{\"img_size\": 32, \"image_tokens\": \"rows\"}"))
                .hasMessageContaining("image_tokens");
    }

    @Test
    void sameSeedGivesTheSameWeights() {
        Vlm a = new Vlm(Presets.get("tiny", 20), 7), b = new Vlm(Presets.get("tiny", 20), 7), c = new Vlm(Presets.get("tiny", 20), 8);
        String name = "decoder.blocks.1.moe.experts.2.fc1.weight";
        assertThat(a.parameters().get(name).toArray()).containsExactly(b.parameters().get(name).toArray());
        assertThat(a.parameters().get(name).toArray()).isNotEqualTo(c.parameters().get(name).toArray());
    }

    @Test
    void moeOutputIsTheRouterWeightedSumOfTheChosenExpertsComputedByHand() {
        VlmConfig config = Presets.get("tiny", 20);
        Vlm model = new Vlm(config, 3);
        SparseMoe moe = moeOf(model);
        Rng rng = new Rng(11);
        int n = 13, c = config.language().width(), k = config.language().topK();
        Tensor x = Tensor.of(rng.normal(n * c, 0f, 1f), n, c);
        try (var g = GradMode.noGrad()) {
            SparseMoe.Output out = moe.forward(x, 0, ForwardContext.inference(), true);
            Tensor logits = moe.router.gate.forward(x);
            for (int t = 0; t < n; t++) {
                Tensor row = Tensor.of(java.util.Arrays.copyOfRange(x.toArray(), t * c, (t + 1) * c), 1, c);
                // router weights: softmax over the top-k logits, they sum to 1
                int e0 = out.routes()[t * k], e1 = out.routes()[t * k + 1];
                float l0 = logits.get(t, e0), l1 = logits.get(t, e1);
                for (int e = 0; e < config.language().numExperts(); e++) {
                    if (e != e0 && e != e1) assertThat(logits.get(t, e)).isLessThanOrEqualTo(Math.min(l0, l1));
                }
                assertThat(l0).isGreaterThanOrEqualTo(l1);
                double w0 = 1 / (1 + Math.exp(l1 - l0)), w1 = 1 - w0;
                float[] y0 = moe.experts.get(e0).forward(row).toArray(), y1 = moe.experts.get(e1).forward(row).toArray();
                for (int j = 0; j < c; j++) {
                    assertThat((double) out.y().get(t, j)).isCloseTo(w0 * y0[j] + w1 * y1[j], org.assertj.core.data.Offset.offset(1e-6));
                }
            }
            int total = 0;
            for (int cnt : out.expertTokens()) total += cnt;
            assertThat(total).isEqualTo(n * k);
            assertThat(out.dropped()).isZero();
        }
    }

    @Test
    void capacityFactorDropsTheTokensBeyondAnExpertsCapacity() {
        VlmConfig base = Presets.get("tiny", 20);
        DecoderConfig decoder = (DecoderConfig) base.language();
        VlmConfig capped = base.withLanguage(decoder.withMoe(decoder.moe().withCapacityFactor(0.5)));
        int width = decoder.width(), topK = decoder.topK(), numExperts = decoder.numExperts();
        Vlm model = new Vlm(capped, 3);
        Rng rng = new Rng(12);
        int n = 40;
        Tensor x = Tensor.of(rng.normal(n * width, 0f, 1f), n, width);
        try (var g = GradMode.noGrad()) {
            SparseMoe.Output out = moeOf(model).forward(x, 0, ForwardContext.inference(), true);
            int capacity = (int) Math.ceil(0.5 * n * topK / numExperts);
            int total = 0;
            for (int cnt : out.expertTokens()) {
                assertThat(cnt).isLessThanOrEqualTo(capacity);
                total += cnt;
            }
            assertThat(out.dropped()).isPositive().isEqualTo(n * topK - total);
        }
    }

    @Test
    void kvCachedDecodingGivesTheLogitsOfTheFullRecomputation() {
        VlmConfig config = Presets.get("tiny", 20);
        Vlm model = new Vlm(config, 5);
        Rng rng = new Rng(3);
        int batch = 2, t = 9;
        Tensor images = Tensor.of(rng.normal(batch * 3 * 32 * 32, 0f, 1f), batch, 3, 32, 32);
        int[] tokens = new int[batch * t];
        for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(20);
        try (var g = GradMode.noGrad()) {
            Tensor full = model.forward(images, tokens, batch, ForwardContext.inference()).logits(); // (B, 1+T, V)
            Tensor prefix = model.visualTokens(images, ForwardContext.inference());
            LanguageModel.Decoding decoding = model.language().newDecoding(batch, 1 + t);
            int split = 4;
            int[] first = new int[batch * split];
            for (int b = 0; b < batch; b++) System.arraycopy(tokens, b * t, first, b * split, split);
            Tensor prefill = decoding.forward(prefix, first);               // (B, 1+4, V)
            assertClose(full, prefill, 0, 1 + split);
            for (int pos = split; pos < t; pos++) {
                int[] next = {tokens[pos], tokens[t + pos]};
                Tensor step = decoding.forward(null, next);               // (B, 1, V)
                assertClose(full, step, 1 + pos, 1);
            }
        }
    }

    private static void assertClose(Tensor full, Tensor part, int start, int len) {
        int v = full.dim(2);
        for (int b = 0; b < full.dim(0); b++) {
            for (int p = 0; p < len; p++) {
                for (int j = 0; j < v; j++) {
                    assertThat(part.get(b, p, j)).as("b%d pos %d", b, start + p).isCloseTo(full.get(b, start + p, j), org.assertj.core.data.Offset.offset(2e-5f));
                }
            }
        }
    }

    private static SparseMoe moeOf(Vlm model) {
        return ((Decoder) model.language()).moeLayer(0);
    }
}
