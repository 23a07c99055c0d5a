package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.seemore.model.ForwardContext;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/** {@link TrainingStep}s with pooled memory ({@link org.seemore.tensor.StepArena}) against plain ones: the same numbers, bit for bit. */
class PooledTrainingTest {
    private static final int BATCH = 32, TEXT = 20;

    /**
     * Losses per step, then every parameter, after {@code steps} steps; with a pool, {@code pooled}
     * gets its size after each step and {@code peaks} the most bytes a step leased at once.
     */
    private static List<float[]> train(String preset, int steps, BufferPool pool, List<Long> pooled, List<Long> peaks) {
        VlmConfig config = Presets.get(preset, 30).withDropout(0.1);
        Vlm model = new Vlm(config, 5);
        Rng data = new Rng(9), rng = new Rng(10);
        int size = config.imageSize();
        Supplier<Batch> batches = () -> {
            Tensor images = Tensor.of(data.normal(BATCH * 3 * size * size, 0f, 1f), BATCH, 3, size, size);
            int[] tokens = new int[BATCH * TEXT], targets = new int[BATCH * TEXT];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = data.nextInt(config.vocabSize());
                targets[i] = i % TEXT < 4 ? NnOps.IGNORE_INDEX : data.nextInt(config.vocabSize()); // as prompts are
            }
            return Batch.of(images, tokens, targets, BATCH);
        };
        TrainingStep trainingStep = new TrainingStep(model, new AdamW(model.parameters(), AdamW.Settings.defaults()),
                ForwardContext.training(config, rng), new TrainingStep.Settings(LrSchedule.constant(3e-3), 1.0, 1), pool);
        float[] losses = new float[steps];
        for (int step = 0; step < steps; step++) {
            TrainingStep.Result result = trainingStep.run(step, batches);
            losses[step] = (float) result.loss();
            if (pool != null) {
                peaks.add(result.peakLeasedBytes());
                pooled.add(pool.pooledBytes());
            }
        }
        List<float[]> result = new ArrayList<>();
        result.add(losses);
        for (Tensor p : model.parameters().values()) result.add(p.toArray());
        return result;
    }

    @Test
    void pooledStepsGiveTheSameLossesAndParametersBitForBit() {
        List<float[]> plain = train("small", 5, null, null, null), pooled = train("small", 5, new BufferPool(), new ArrayList<>(), new ArrayList<>());
        assertThat(pooled.get(0)).as("losses").containsExactly(plain.get(0));
        for (int i = 1; i < plain.size(); i++) assertThat(pooled.get(i)).as("parameter " + i).containsExactly(plain.get(i));
    }

    @Test
    void thePoolStaysBoundedByTheStepsWorkingSetOverManySteps() {
        BufferPool pool = new BufferPool();
        List<Long> pooled = new ArrayList<>(), peaks = new ArrayList<>();
        int steps = 3 * BufferPool.WINDOW;
        train("tiny", steps, pool, pooled, peaks);
        long peak = peaks.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(peak).isPositive();
        // every buffer is back after each step, and the pool holds at most twice what one step needs at once
        for (long bytes : pooled) assertThat(bytes).isLessThanOrEqualTo(2 * peak);
        assertThat(pooled.getLast()).isPositive();
    }

    /**
     * One and two kernel threads give the same bits: products split by rows, experts side by side,
     * attention heads in parallel and the chunked gradient norm never change an order of additions.
     * The tiny preset (CLS visual token, so the ViT's last block takes its query-only path) and the
     * small one (patch tokens), with dropout and routing noise on.
     */
    @Test
    void oneAndTwoThreadsGiveTheSameStepsBitForBit() {
        int before = org.seemore.tensor.kernels.Parallel.threads();
        try {
            for (String preset : new String[] {"tiny", "small"}) {
                org.seemore.tensor.kernels.Parallel.setThreads(1);
                List<float[]> one = train(preset, 3, new BufferPool(), new ArrayList<>(), new ArrayList<>());
                org.seemore.tensor.kernels.Parallel.setThreads(2);
                List<float[]> two = train(preset, 3, new BufferPool(), new ArrayList<>(), new ArrayList<>());
                assertThat(two.get(0)).as("%s losses", preset).containsExactly(one.get(0));
                for (int i = 1; i < one.size(); i++) assertThat(two.get(i)).as("%s parameter %d", preset, i).containsExactly(one.get(i));
            }
        } finally {
            org.seemore.tensor.kernels.Parallel.setThreads(before);
        }
    }
}
