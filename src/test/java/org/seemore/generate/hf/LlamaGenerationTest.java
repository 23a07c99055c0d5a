package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.GreedyDecoder;
import org.seemore.model.llama.LlamaModel;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;

/**
 * A prompt prefilled in chunks gives the logits of one pass, and greedy steps continue as GreedyDecoder's:
 * on the inference path, dense (Qwen2) and with experts (Mixtral).
 */
class LlamaGenerationTest {
    @TempDir
    Path tmp;

    @Test
    void aChunkedPrefillEqualsOnePass() {
        Path dir = TinyHfModels.qwen2Chatml(tmp.resolve("qwen"));
        LlamaWeights weights = LlamaGeneration.weights(HfModelDirectory.open(dir), "", WeightDtype.AUTO);
        assertChunkedEqualsOnePassAndGreedy(TinyHfModels.model(dir), new LlamaGeneration(weights, 1000), new LlamaGeneration(weights, 5));
    }

    @Test
    void aChunkedPrefillOfADecoderWithExpertsEqualsOnePass() {
        Path dir = TinyHfModels.build(tmp.resolve("mixtral"), "mixtral", "chatml", Map.of("eos_token", "<|im_end|>"));
        LlamaWeights weights = LlamaGeneration.weights(HfModelDirectory.open(dir), "", WeightDtype.AUTO);
        assertChunkedEqualsOnePassAndGreedy(TinyHfModels.model(dir), new LlamaGeneration(weights, 1000), new LlamaGeneration(weights, 5));
    }

    private static void assertChunkedEqualsOnePassAndGreedy(LlamaModel model, HfLanguageModel whole, HfLanguageModel inChunks) {
        int[] prompt = toIds(new Rng(3).uniform(23, 3, 500)); // 23 ids, chunks of 5, 5, 5, 5, 3
        int steps = 5;
        int[] expected = new GreedyDecoder(model).generate(prompt, null, 1, steps).tokens();
        float[] onePass, chunked;
        int[] tokens = new int[steps];
        try (var ignored = GradMode.noGrad()) {
            onePass = whole.start(prompt, null, prompt.length + steps).logits().clone();
            HfLanguageModel.Generation generation = inChunks.start(prompt, null, prompt.length + steps);
            chunked = generation.logits().clone();
            float[] logits = chunked;
            for (int s = 0; s < steps; s++) {
                int best = 0;
                for (int j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
                tokens[s] = best;
                logits = generation.step(best);
            }
        }
        float max = 0;
        for (int i = 0; i < onePass.length; i++) max = Math.max(max, Math.abs(onePass[i] - chunked[i]));
        assertThat(max).as("max |one pass - chunked|").isLessThan(1e-5f);
        assertThat(tokens).containsExactly(expected);
    }

    private static int[] toIds(float[] values) {
        int[] ids = new int[values.length];
        for (int i = 0; i < ids.length; i++) ids[i] = (int) values[i];
        return ids;
    }
}
