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
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * {@link TrainingStep#run} is {@link TrainingStep#accumulate} over all micro-batches then
 * {@link TrainingStep#update}: driving the two halves by hand (as a data-parallel worker and its
 * driver do) gives the same parameters and losses, bit for bit.
 */
class TrainingStepSplitTest {
    private static final int BATCH = 4, TEXT = 12, ACCUM = 3, STEPS = 2;

    private static Supplier<Batch> batches(VlmConfig config) {
        Rng data = new Rng(21);
        int size = config.imageSize();
        return () -> {
            Tensor images = Tensor.of(data.normal(BATCH * 3 * size * size, 0f, 1f), BATCH, 3, size, size);
            int[] tokens = new int[BATCH * TEXT], targets = new int[BATCH * TEXT];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = data.nextInt(config.vocabSize());
                targets[i] = i % TEXT < 3 ? NnOps.IGNORE_INDEX : data.nextInt(config.vocabSize());
            }
            return Batch.of(images, tokens, targets, BATCH);
        };
    }

    private static TrainingStep step(Vlm model) {
        return new TrainingStep(model, new AdamW(model.parameters(), AdamW.Settings.defaults()), ForwardContext.inference(),
                new TrainingStep.Settings(LrSchedule.constant(3e-3), 0.5, ACCUM), null);
    }

    @Test
    void runEqualsAccumulateInPartsThenUpdate() {
        VlmConfig config = Presets.get("tiny", 30);
        Vlm whole = new Vlm(config, 3), split = new Vlm(config, 3);
        TrainingStep wholeStep = step(whole), splitStep = step(split);
        Supplier<Batch> a = batches(config), b = batches(config);
        List<Double> wholeLosses = new ArrayList<>(), splitLosses = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            TrainingStep.Result r = wholeStep.run(s, a);
            wholeLosses.add(r.loss());
            for (Tensor p : split.parameters().values()) p.recycleGrad();
            TrainingStep.Result first = splitStep.accumulate(s, b, 1), rest = splitStep.accumulate(s, b, ACCUM - 1);
            assertThat(first.gradNorm()).isNaN();
            double norm = splitStep.update(s);
            assertThat(norm).isEqualTo(r.gradNorm());
            splitLosses.add(first.loss() + rest.loss());
        }
        assertThat(splitLosses).hasSize(STEPS);
        for (int s = 0; s < STEPS; s++) assertThat(splitLosses.get(s)).isCloseTo(wholeLosses.get(s), org.assertj.core.data.Offset.offset(1e-12));
        var w = whole.parameters();
        split.parameters().forEach((name, p) -> assertThat(p.toArray()).as(name).containsExactly(w.get(name).toArray()));
    }
}
