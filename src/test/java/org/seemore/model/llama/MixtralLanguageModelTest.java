package org.seemore.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.seemore.model.llama.MixtralModelFixturesTest.ints;
import static org.seemore.model.llama.MixtralModelFixturesTest.topTwo;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.ForwardContext;
import org.seemore.model.LanguageModel;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.nn.Params;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * {@link LlamaLanguageModel} on the tiny Mixtral fixture: the {@link LanguageModel} interface carries
 * the logits, HF's load-balancing loss, the objective {@code ce + 0.02 * aux} and each layer's routes,
 * and KV-cached decoding through it reproduces {@code generate}, reporting the experts of each new token.
 */
class MixtralLanguageModelTest {
    private static final HfModelDirectory DIR = HfModelDirectory.open(HfFixtures.model("mixtral"));
    private static final SafetensorsFile REF = SafetensorsFile.read(DIR.directory().resolve("reference.safetensors"));

    private static LlamaModel model() {
        return LlamaModel.load(DIR.decoder().orElseThrow(), DIR.weights());
    }

    @Test
    void aForwardCarriesTheLogitsTheAuxLossTheObjectiveAndTheRoutes() {
        LlamaModel model = model();
        LanguageModel lm = new LlamaLanguageModel(model);
        assertThat(lm.config().numExperts()).isEqualTo(8);
        assertThat(lm.config().topK()).isEqualTo(2);
        int t = 12, v = 512, nv = 3;
        int[] row0 = Arrays.copyOf(ints(REF.longs("input_ids")), t); // row 0 has no padding
        Tensor visual = model.embed(Arrays.copyOf(row0, nv), 1);
        LanguageModel.Output out = lm.forward(visual, Arrays.copyOfRange(row0, nv, t), 1, ForwardContext.inference());
        assertThat(LlamaModelFixturesTest.maxDiff(out.logits().toArray(), Arrays.copyOf(REF.floats("logits"), t * v), v)).isLessThan(1e-4);
        assertThat(out.moe()).hasSize(2);
        for (int layer = 0; layer < 2; layer++) {
            int[] want = Arrays.copyOf(topTwo(REF.floats("router_logits." + layer), 8), 2 * t); // row 0's positions
            assertThat(out.moe().get(layer).routes()).containsExactly(want);
            assertThat(Arrays.stream(out.moe().get(layer).expertTokens()).sum()).isEqualTo(2 * t);
        }
        // without a mask every position counts: the loss HF computes on row 0 alone
        Tensor aux = LoadBalancingLoss.of(model.forward(row0, null, 1).routing(), null);
        assertThat(out.auxLoss().item()).isCloseTo(aux.item(), within(1e-6f));
        Tensor ce = NnOps.crossEntropy(Shaping.reshape(out.logits(), t, v), new int[t]);
        assertThat(lm.objective(ce, out).item()).isCloseTo(ce.item() + 0.02f * aux.item(), within(1e-5f));
    }

    @Test
    void decodingReproducesGenerateAndReportsTheExpertsOfEachNewToken() {
        LlamaModel model = model();
        LanguageModel lm = new LlamaLanguageModel(model);
        int[] prompt = ints(REF.longs("gen.input_ids")), want = ints(REF.longs("gen.output_ids"));
        float[] wantLogits = REF.floats("gen.logits");
        int v = 512, steps = want.length - prompt.length;
        // the experts every position of the generated sequence chooses, in one uncached pass
        var full = model.forward(Arrays.copyOf(want, want.length - 1), null, 1).chosenExperts();
        LanguageModel.Decoding d = lm.newDecoding(1, want.length);
        float[] logits = Shaping.slice(d.forward(null, prompt), 1, prompt.length - 1, 1).toArray();
        double worst = 0;
        for (int s = 0; s < steps; s++) {
            int position = prompt.length - 1 + s;
            for (int layer = 0; layer < 2; layer++) {
                assertThat(Arrays.copyOfRange(d.routes(), layer * 2, layer * 2 + 2)).as("step %d, layer %d", s, layer)
                        .containsExactly(Arrays.copyOfRange(full.get(layer), position * 2, position * 2 + 2));
            }
            worst = Math.max(worst, LlamaModelFixturesTest.maxDiff(logits, Arrays.copyOfRange(wantLogits, s * v, (s + 1) * v), v));
            int best = 0;
            for (int j = 1; j < v; j++) if (logits[j] > logits[best]) best = j;
            assertThat(best).as("token %d", s).isEqualTo(want[prompt.length + s]);
            if (s + 1 < steps) logits = d.step(new int[] {best}).clone();
        }
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void theConfigBuildsMixtralsHfNamedExperts() {
        LlamaLanguageModel.Config config = new LlamaLanguageModel.Config(DIR.decoder().orElseThrow()).withVocabSize(100);
        Params params = new Params(new Rng(7));
        LlamaLanguageModel lm = (LlamaLanguageModel) config.build(params.sub("language_model"));
        assertThat(lm.model().parameters()).containsKey("language_model.model.layers.1.block_sparse_moe.experts.7.w2.weight")
                .containsKey("language_model.model.layers.0.block_sparse_moe.gate.weight").containsKey("language_model.lm_head.weight")
                .doesNotContainKey("language_model.model.layers.0.mlp.down_proj.weight");
        assertThat(lm.model().parameters().get("language_model.lm_head.weight").shape()).containsExactly(100, 64);
        assertThat(lm.config().numExperts()).isEqualTo(8);
    }
}
