package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seemore.model.ForwardContext;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.Rng;
import org.seemore.tensor.StepArena;
import org.seemore.tensor.Tensor;

/** Training steps with pooled memory ({@link StepArena}) against plain ones: the same numbers, bit for bit. */
class PooledTrainingTest {
    private static final int BATCH = 6, TEXT = 12, STEPS = 12;

    /** Losses per step, then every parameter, after {@link #STEPS} steps. */
    private static List<float[]> train(BufferPool pool, List<Long> pooledBytes) {
        VlmConfig config = Presets.get("small", 30).withDropout(0.1);
        Vlm model = new Vlm(config, 5);
        Map<String, Tensor> params = model.parameters();
        AdamW adam = new AdamW(params, AdamW.Settings.defaults());
        Rng data = new Rng(9), rng = new Rng(10);
        float[] losses = new float[STEPS];
        for (int step = 0; step < STEPS; step++) {
            int size = config.imageSize();
            Tensor images = Tensor.of(data.normal(BATCH * 3 * size * size, 0f, 1f), BATCH, 3, size, size);
            int[] tokens = new int[BATCH * TEXT], targets = new int[BATCH * TEXT];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = data.nextInt(config.vocabSize());
                targets[i] = data.nextInt(config.vocabSize());
            }
            StepArena arena = null;
            if (pool != null) {
                for (Tensor p : params.values()) p.recycleGrad();
                arena = StepArena.open(pool);
            } else {
                for (Tensor p : params.values()) p.clearGrad();
            }
            try {
                Vlm.Output out = model.forward(images, tokens, BATCH, ForwardContext.training(config, rng));
                Tensor loss = model.loss(out, targets, BATCH).total();
                losses[step] = loss.item();
                loss.backward();
                AdamW.clipGradNorm(params.values(), 1.0);
                adam.step(3e-3);
            } finally {
                if (arena != null) arena.close();
            }
            if (pool != null) pooledBytes.add(pool.pooledBytes());
        }
        List<float[]> result = new ArrayList<>();
        result.add(losses);
        for (Tensor p : params.values()) result.add(p.toArray());
        return result;
    }

    @Test
    void pooledStepsGiveTheSameLossesAndParametersBitForBitAndThePoolStaysBounded() {
        List<Long> pooledBytes = new ArrayList<>();
        List<float[]> plain = train(null, null), pooled = train(new BufferPool(), pooledBytes);
        assertThat(pooled.get(0)).as("losses").containsExactly(plain.get(0));
        for (int i = 1; i < plain.size(); i++) assertThat(pooled.get(i)).as("parameter " + i).containsExactly(plain.get(i));
        // after the first steps the pool holds about one step's working set and grows no further
        long settled = pooledBytes.get(2);
        assertThat(settled).isPositive();
        for (long bytes : pooledBytes.subList(3, STEPS)) assertThat((double) bytes).isLessThanOrEqualTo(settled * 1.25);
    }
}
