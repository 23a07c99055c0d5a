package org.seemore.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.model.Presets;
import org.seemore.model.RandomWeights;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

class ContinuousBatchTest {
    private final VlmConfig config = Presets.get("small", 20);
    private final Vlm model = RandomWeights.model(config, 31);
    private final Tensor images = RandomWeights.images(config, 5, 32); // (5, 3, S, S)

    /** Collects one sequence's tokens, routes and end. */
    private static final class Collected implements ContinuousBatch.Listener {
        final List<Integer> tokens = new ArrayList<>();
        final List<int[][]> routes = new ArrayList<>();
        ContinuousBatch.Finish finish;

        @Override
        public void token(int token, int[][] r) {
            tokens.add(token);
            routes.add(r);
        }

        @Override
        public void finished(ContinuousBatch.Finish reason) {
            finish = reason;
        }

        int[] array() { return tokens.stream().mapToInt(Integer::intValue).toArray(); }
    }

    private Tensor image(int i) {
        return Shaping.slice(images, 0, i, 1); // (1, 3, S, S)
    }

    @Test
    void sequencesJoiningAndLeavingARunningBatchGetTheTokensEachGetsAlone() {
        Sampler[] samplers = {Sampler.greedy(), Sampler.of(0.9, 0, 0.95), Sampler.greedy(), Sampler.of(1.2, 4, 1.0), Sampler.greedy()};
        int[][] prompts = {{1, 5}, {1, 7, 8}, {1}, {1, 4, 4, 4}, {1, 9}};
        int[] lengths = {12, 5, 20, 9, 15};
        Generator.Settings[] settings = new Generator.Settings[5];
        for (int i = 0; i < 5; i++) settings[i] = new Generator.Settings(lengths[i], -1, samplers[i], 100 + i);

        ContinuousBatch batch = new ContinuousBatch(model);
        Collected[] got = new Collected[5];
        // sequences arrive while others run: one before each of the first five steps
        for (int i = 0; i < 5; i++) {
            got[i] = new Collected();
            batch.admit(image(i), prompts[i], settings[i], got[i]);
            batch.step();
        }
        while (batch.running() > 0) batch.step();

        Generator generator = new Generator(model);
        for (int i = 0; i < 5; i++) {
            int[] alone = generator.generate(image(i), new int[][] {prompts[i]}, settings[i])[0];
            assertThat(got[i].array()).as("sequence %d", i).containsExactly(alone);
            assertThat(got[i].finish).isEqualTo(ContinuousBatch.Finish.LENGTH);
            assertThat(got[i].routes).hasSize(lengths[i]).allSatisfy(r -> assertThat(r).hasDimensions(config.language().layers(), config.language().topK()));
        }
    }

    @Test
    void endsAtTheEndTokenAndOnCancel() {
        Generator.Settings free = new Generator.Settings(30, -1, Sampler.greedy(), 0);
        int[] all = new Generator(model).generate(image(0), new int[][] {{1, 5}}, free)[0];
        int eos = all[4];
        int firstEos = 0;
        while (all[firstEos] != eos) firstEos++;

        ContinuousBatch batch = new ContinuousBatch(model);
        Collected stopped = new Collected(), cancelled = new Collected();
        batch.admit(image(0), new int[] {1, 5}, new Generator.Settings(30, eos, Sampler.greedy(), 0), stopped);
        ContinuousBatch.Sequence s = batch.admit(image(1), new int[] {1, 5}, free, cancelled);
        batch.step();
        batch.step();
        s.cancel();
        while (batch.running() > 0) batch.step();

        assertThat(stopped.array()).containsExactly(java.util.Arrays.copyOf(all, firstEos));
        assertThat(stopped.finish).isEqualTo(ContinuousBatch.Finish.STOP);
        assertThat(cancelled.tokens).hasSize(3);
        assertThat(cancelled.finish).isEqualTo(ContinuousBatch.Finish.CANCELLED);
    }
}
