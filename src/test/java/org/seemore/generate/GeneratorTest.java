package org.seemore.generate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.seemore.model.Presets;
import org.seemore.model.RandomWeights;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

class GeneratorTest {
    private final VlmConfig config = Presets.get("tiny", 20);
    private final Vlm model = new Vlm(config, 9);
    private final Tensor images = Tensor.of(new Rng(4).normal(3 * 3 * 32 * 32, 0f, 1f), 3, 3, 32, 32);
    private final int[][] prompts = {{1, 5}, {1, 7}, {1, 9}};

    @Test
    void cachedDecodingGivesTheTokensOfFullRecomputation() {
        for (Sampler sampler : new Sampler[] {Sampler.greedy(), Sampler.of(1.0, 0, 1.0), Sampler.of(0.8, 5, 0.9)}) {
            Generator.Settings settings = new Generator.Settings(20, -1, sampler, 42);
            Generator generator = new Generator(model);
            int[][] cached = generator.generate(images, prompts, settings);
            int[][] uncached = generator.generateUncached(images, prompts, settings);
            assertThat(cached).isDeepEqualTo(uncached);
            assertThat(cached[0]).hasSize(20);
        }
    }

    @Test
    void greedyDecodingGivesTheTokensOfFullRecomputationWithPatchTokensAndRandomWeights() {
        // every parameter random (biases and norms too), the PATCHES visual tokens, batches of 1 and 2
        for (String preset : new String[] {"tiny", "small"}) {
            VlmConfig c = Presets.get(preset, 20);
            Vlm random = RandomWeights.model(c, 21);
            Generator generator = new Generator(random);
            for (int batch : new int[] {1, 2}) {
                Tensor pictures = RandomWeights.images(c, batch, 22 + batch);
                int[][] starts = new int[batch][];
                for (int b = 0; b < batch; b++) starts[b] = new int[] {1, 3 + b};
                Generator.Settings settings = new Generator.Settings(24, -1, Sampler.greedy(), 0);
                int[][] cached = generator.generate(pictures, starts, settings);
                assertThat(cached).as("%s, batch %d", preset, batch).isDeepEqualTo(generator.generateUncached(pictures, starts, settings));
                assertThat(cached[0]).hasSize(24);
            }
        }
    }

    @Test
    void stopsAtTheEndTokenAndNeverPastThePositionTable() {
        Generator generator = new Generator(model);
        int[][] all = generator.generate(images, prompts, new Generator.Settings(1000, -1, Sampler.greedy(), 0));
        // 1 visual token + 2 prompt tokens; the last new token is sampled from the last position and never fed back
        assertThat(all[0]).hasSize(config.maxPositions() - 1 - 2 + 1);
        int eos = all[0][3];
        int[][] stopped = generator.generate(images, prompts, new Generator.Settings(1000, eos, Sampler.greedy(), 0));
        int firstEos = 0;
        while (all[0][firstEos] != eos) firstEos++;
        assertThat(stopped[0]).containsExactly(java.util.Arrays.copyOf(all[0], firstEos));
    }

    @Test
    void samplingIsSeededAndTopKOneIsGreedy() {
        Generator generator = new Generator(model);
        int[][] a = generator.generate(images, prompts, new Generator.Settings(15, -1, Sampler.of(1.5, 0, 1.0), 7));
        int[][] b = generator.generate(images, prompts, new Generator.Settings(15, -1, Sampler.of(1.5, 0, 1.0), 7));
        assertThat(a).isDeepEqualTo(b);
        int[][] greedy = generator.generate(images, prompts, new Generator.Settings(15, -1, Sampler.greedy(), 7));
        int[][] top1 = generator.generate(images, prompts, new Generator.Settings(15, -1, Sampler.of(1.5, 1, 1.0), 7));
        assertThat(top1).isDeepEqualTo(greedy);
    }
}
