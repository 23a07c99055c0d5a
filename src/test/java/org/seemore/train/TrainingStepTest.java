package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seemore.UserException;
import org.seemore.model.ForwardContext;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Profiler;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/** The one training step: what it reports, gradient accumulation, a non-finite loss, the profiler's rows. */
class TrainingStepTest {
    private static final int BATCH = 3, TEXT = 6, VOCAB = 20;

    private static Batch randomBatch(VlmConfig config, long seed) {
        Rng r = new Rng(seed);
        int size = config.imageSize();
        Tensor images = Tensor.of(r.normal(BATCH * 3 * size * size, 0f, 1f), BATCH, 3, size, size);
        int[] tokens = new int[BATCH * TEXT], targets = new int[BATCH * TEXT];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(VOCAB);
            targets[i] = i % TEXT < 2 ? NnOps.IGNORE_INDEX : r.nextInt(VOCAB);
        }
        return Batch.of(images, tokens, targets, BATCH);
    }

    private static TrainingStep step(Vlm model, int accumulation, LrSchedule schedule) {
        return new TrainingStep(model, new AdamW(model.parameters(), AdamW.Settings.defaults()), ForwardContext.inference(),
                new TrainingStep.Settings(schedule, 1.0, accumulation), new BufferPool());
    }

    /** The tiny preset with the router z-loss on, so that the step has every figure to report. */
    private static VlmConfig tinyWithZLoss() throws Exception {
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(Presets.get("tiny", VOCAB).toJson());
        json.put("router_z_loss_coef", 1e-3);
        return VlmConfig.fromJson(json.toString());
    }

    @Test
    void accumulatesTheMeanOfTheMicroBatchMeansAndReportsTheStep() throws Exception {
        VlmConfig config = tinyWithZLoss();
        List<Batch> micro = List.of(randomBatch(config, 1), randomBatch(config, 2));
        double[] loss = new double[2], ce = new double[2], z = new double[2];
        Vlm reference = new Vlm(config, 3);
        try (var g = GradMode.noGrad()) {
            for (int i = 0; i < 2; i++) {
                Batch b = micro.get(i);
                Vlm.Output out = reference.forward(b.images(), b.tokens(), b.size(), ForwardContext.inference());
                Vlm.Loss l = reference.loss(out, b.targets(), b.size());
                loss[i] = l.total().item();
                ce[i] = l.ce().item();
                z[i] = out.zLoss().item();
            }
        }
        LrSchedule schedule = LrSchedule.warmupCosine(1e-3, 1e-4, 2, 10);
        Vlm model = new Vlm(config, 3);
        TrainingStep.Result r = step(model, 2, schedule).run(5, TrainingStep.cycling(micro));

        assertThat(r.loss()).isCloseTo((loss[0] + loss[1]) / 2, within(1e-6));
        assertThat(r.ce()).isCloseTo((ce[0] + ce[1]) / 2, within(1e-6));
        assertThat(r.zLoss()).isPositive().isCloseTo((z[0] + z[1]) / 2, within(1e-6));
        assertThat(r.lr()).isEqualTo(schedule.at(5));
        assertThat(r.gradNorm()).isPositive().isFinite();
        assertThat(r.tokens()).isEqualTo(2L * BATCH * (TEXT + config.numVisualTokens()));
        // dropless routing: every position goes to top-k experts in every layer of both micro-batches
        assertThat(r.assignments()).isEqualTo(2L * config.language().layers() * BATCH * (TEXT + config.numVisualTokens()) * config.language().topK());
        assertThat(r.expertLoad()).hasNumberOfRows(config.language().layers());
        for (double[] layer : r.expertLoad()) assertThat(Arrays.stream(layer).sum()).isCloseTo(1.0, within(1e-12));
        assertThat(r.peakLeasedBytes()).isPositive();
        // the update happened: a parameter moved
        assertThat(model.parameters().get("decoder.lm_head.weight").toArray())
                .isNotEqualTo(reference.parameters().get("decoder.lm_head.weight").toArray());
    }

    @Test
    void aNonFiniteLossStopsTheStepBeforeTheUpdate() {
        VlmConfig config = Presets.get("tiny", VOCAB);
        Vlm model = new Vlm(config, 3);
        Map<String, Tensor> params = model.parameters();
        List<float[]> before = new ArrayList<>();
        for (Tensor p : params.values()) before.add(p.toArray());
        Batch poisoned = randomBatch(config, 1);
        poisoned.images().data()[0] = Float.NaN;
        TrainingStep trainingStep = step(model, 2, LrSchedule.constant(1e-2));

        assertThatThrownBy(() -> trainingStep.run(4, TrainingStep.cycling(List.of(randomBatch(config, 2), poisoned))))
                .isInstanceOf(TrainingStep.NonFiniteLossException.class).isInstanceOf(UserException.class)
                .hasMessage("step 5: the loss is NaN")
                .satisfies(e -> assertThat(((TrainingStep.NonFiniteLossException) e).step()).isEqualTo(4));
        int i = 0;
        for (Tensor p : params.values()) assertThat(p.toArray()).as("unchanged").containsExactly(before.get(i++));
    }

    @Test
    void theProfilerChargesTheWaitForDataAndTheOptimizer() {
        VlmConfig config = Presets.get("tiny", VOCAB);
        Profiler.enable(true);
        try {
            step(new Vlm(config, 3), 1, LrSchedule.constant(1e-3)).run(0, () -> randomBatch(config, 1));
            assertThat(Profiler.totals()).containsKeys("data", "optimizer", "vision encoder", "loss");
        } finally {
            Profiler.enable(false);
        }
    }

    @Test
    void cyclingHandsOutTheBatchesInTurn() {
        VlmConfig config = Presets.get("tiny", VOCAB);
        Batch a = randomBatch(config, 1), b = randomBatch(config, 2);
        var next = TrainingStep.cycling(List.of(a, b));
        assertThat(List.of(next.get(), next.get(), next.get())).containsExactly(a, b, a);
        assertThatThrownBy(() -> TrainingStep.cycling(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new TrainingStep.Settings(LrSchedule.constant(1e-3), 1.0, 0)).hasMessageContaining("accumulation");
        assertThatThrownBy(() -> new TrainingStep.Settings(LrSchedule.constant(1e-3), 0, 1)).hasMessageContaining("clip");
        TrainSettings run = TrainSettings.builder().gradAccumulation(3).clipNorm(0.5).build();
        TrainingStep.Settings s = TrainingStep.Settings.of(run);
        assertThat(s.gradAccumulation()).isEqualTo(3);
        assertThat(s.clipNorm()).isEqualTo(0.5);
        assertThat(s.schedule().at(7)).isEqualTo(run.schedule().at(7));
    }
}
