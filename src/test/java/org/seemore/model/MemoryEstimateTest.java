package org.seemore.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.StepArena;
import org.seemore.tensor.Tensor;

/** The memory a config needs, estimated before allocating, against the built model and a measured step. */
class MemoryEstimateTest {

    @Test
    void theParameterCountIsTheBuiltModels() {
        VlmConfig seemore = Presets.get("seemore", 66);
        List<VlmConfig> configs = List.of(Presets.get("tiny", 20), Presets.get("small", 40), seemore,
                new VlmConfigJson(40, 10, 48, 3, 1, 24, 2, 3, 5, 3, 17, 50, org.seemore.model.vision.VitConfig.ImageTokens.PATCHES, 0.01, 0.001, 1.25, 0.1).config());
        for (VlmConfig config : configs) {
            MemoryEstimate.ParameterCount count = MemoryEstimate.parameters(config);
            Vlm model = new Vlm(config, 1);
            assertThat(count.total()).as(config.toString()).isEqualTo(model.parameterCount());
            assertThat(count.vision()).isEqualTo(sizeOf(model, "vision."));
            assertThat(count.projector()).isEqualTo(sizeOf(model, "projector."));
        }
        assertThat(MemoryEstimate.parameters(seemore).total()).isEqualTo(20_300_354L);
    }

    private static long sizeOf(Vlm model, String prefix) {
        return model.parameters().entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(e -> e.getValue().size()).sum();
    }

    /**
     * The step arena's peak (the activations and gradients a training step holds, measured) is at
     * most the estimate, and the estimate not more than half again as much: on the presets the
     * model is built for (the tiny preset's many arrays below the pool's size are not measured).
     */
    @Test
    void theActivationEstimateCoversAMeasuredStepWithoutMuchToSpare() {
        for (String preset : List.of("small", "seemore")) {
            VlmConfig config = Presets.get(preset, 40);
            Vlm model = new Vlm(config, 1);
            int batch = 8, text = 48;
            Rng rng = new Rng(3);
            Tensor images = Tensor.of(rng.normal(batch * 3 * config.imageSize() * config.imageSize(), 0f, 1f), batch, 3, config.imageSize(), config.imageSize());
            int[] tokens = new int[batch * text], targets = new int[batch * text];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = 3 + i % 30;
                targets[i] = 3 + (7 * i) % 30;
            }
            long training, inference;
            try (StepArena arena = StepArena.open(new BufferPool())) {
                Vlm.Output out = model.forward(images, tokens, batch, ForwardContext.training(config, rng));
                model.loss(out, targets, batch).total().backward();
                training = arena.peakLeasedBytes();
            }
            try (var noGrad = GradMode.noGrad(); StepArena arena = StepArena.open(new BufferPool())) {
                Vlm.Output out = model.forward(images, tokens, batch, ForwardContext.inference());
                model.loss(out, targets, batch).ce().item();
                inference = arena.peakLeasedBytes();
            }
            long trainingEstimate = MemoryEstimate.trainingActivations(config, batch, text, true);
            long inferenceEstimate = MemoryEstimate.inferenceActivations(config, batch, text, true);
            System.out.printf("%s: training step %.1f MB measured, %.1f MB estimated; inference %.1f MB measured, %.1f MB estimated%n",
                    preset, training / 1e6, trainingEstimate / 1e6, inference / 1e6, inferenceEstimate / 1e6);
            assertThat(trainingEstimate).as(preset + " training").isBetween(training, training * 3 / 2);
            assertThat(inferenceEstimate).as(preset + " inference").isBetween(inference, inference * 3 / 2);
        }
    }
}
