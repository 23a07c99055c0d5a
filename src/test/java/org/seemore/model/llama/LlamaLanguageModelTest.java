package org.seemore.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.ForwardContext;
import org.seemore.model.LanguageModel;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.nn.Params;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * {@link LlamaLanguageModel}: the tiny llama fixture through the {@link LanguageModel} interface
 * (visual tokens as an input-embedding prefix, KV-cached decoding), and {@link GreedyDecoder} on a
 * left-padded batch.
 */
class LlamaLanguageModelTest {
    private static final HfModelDirectory DIR = HfModelDirectory.open(HfFixtures.model("llama"));
    private static final SafetensorsFile REF = SafetensorsFile.read(DIR.directory().resolve("reference.safetensors"));

    private static LlamaModel model() {
        return LlamaModel.load(DIR.decoder().orElseThrow(), DIR.weights());
    }

    private static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }

    @Test
    void visualTokensAsAnEmbeddingPrefixGiveTheLogitsOfTheTextTheyEmbed() {
        LlamaModel model = model();
        LanguageModel lm = new LlamaLanguageModel(model);
        int[] ids = ints(REF.longs("input_ids"));
        int t = REF.get("input_ids").shape()[1], v = model.config().vocabSize(), nv = 3;
        int[] row0 = Arrays.copyOf(ids, t); // row 0 has no padding
        Tensor visual = model.embed(Arrays.copyOf(row0, nv), 1);
        LanguageModel.Output out = lm.forward(visual, Arrays.copyOfRange(row0, nv, t), 1, ForwardContext.inference());
        assertThat(out.logits().shape()).containsExactly(1, t, v);
        assertThat(out.auxLoss()).isNull();
        assertThat(out.moe()).isEmpty();
        float[] want = Arrays.copyOf(REF.floats("logits"), t * v);
        assertThat(LlamaModelFixturesTest.maxDiff(out.logits().toArray(), want, v)).isLessThan(1e-4);
    }

    @Test
    void decodingThroughTheInterfaceReproducesGenerate() {
        LanguageModel lm = new LlamaLanguageModel(model());
        int[] prompt = ints(REF.longs("gen.input_ids")), want = ints(REF.longs("gen.output_ids"));
        float[] wantLogits = REF.floats("gen.logits");
        int v = lm.config().vocabSize(), steps = want.length - prompt.length;
        LanguageModel.Decoding d = lm.newDecoding(1, want.length);
        Tensor first = d.forward(null, prompt);
        float[] logits = Shaping.slice(first, 1, prompt.length - 1, 1).toArray();
        double worst = 0;
        for (int s = 0; s < steps; s++) {
            worst = Math.max(worst, LlamaModelFixturesTest.maxDiff(logits, Arrays.copyOfRange(wantLogits, s * v, (s + 1) * v), v));
            assertThat(argmax(logits)).as("token %d", s).isEqualTo(want[prompt.length + s]);
            if (s + 1 < steps) logits = d.step(new int[] {want[prompt.length + s]}).clone();
        }
        assertThat(d.length()).isEqualTo(want.length - 1);
        assertThat(worst).isLessThan(1e-4);
        assertThatThrownBy(() -> d.forward(null, new int[] {1, 2})).hasMessageContaining("holds " + want.length);
    }

    @Test
    void aLeftPaddedBatchGeneratesWhatEachPromptGeneratesAlone() {
        GreedyDecoder decoder = new GreedyDecoder(model());
        int[] a = {1, 17, 300, 42, 9}, b = {1, 88, 5};
        int steps = 6;
        int[] aloneA = decoder.generate(a, null, 1, steps).tokens(), aloneB = decoder.generate(b, null, 1, steps).tokens();
        int[] batch = {1, 17, 300, 42, 9, 0, 0, 1, 88, 5}, mask = {1, 1, 1, 1, 1, 0, 0, 1, 1, 1};
        GreedyDecoder.Result both = decoder.generate(batch, mask, 2, steps);
        assertThat(Arrays.copyOf(both.tokens(), steps)).containsExactly(aloneA);
        assertThat(Arrays.copyOfRange(both.tokens(), steps, 2 * steps)).containsExactly(aloneB); // its padded keys stay masked at every step
    }

    @Test
    void theConfigBuildsHfNamedParametersUnderAScopeAndChangesItsVocabulary() {
        DecoderConfig decoder = DIR.decoder().orElseThrow();
        LlamaLanguageModel.Config config = new LlamaLanguageModel.Config(decoder).withVocabSize(100);
        assertThat(config.vocabSize()).isEqualTo(100);
        assertThat(config.width()).isEqualTo(64);
        Params params = new Params(new Rng(7));
        LlamaLanguageModel lm = (LlamaLanguageModel) config.build(params.sub("language_model"));
        assertThat(lm.model().parameters()).containsKey("language_model.model.embed_tokens.weight")
                .containsKey("language_model.model.layers.1.mlp.down_proj.weight").doesNotContainKey("language_model.lm_head.weight"); // tied
        assertThat(lm.model().parameters().get("language_model.model.embed_tokens.weight").shape()).containsExactly(100, 64);
        assertThat(params.all()).hasSameSizeAs(lm.model().parameters());
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
        return best;
    }
}
