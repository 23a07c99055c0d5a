package org.seemore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.seemore.generate.Generator;
import org.seemore.generate.Sampler;
import org.seemore.nn.Linear;
import org.seemore.nn.Params;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * A model is three parts behind small interfaces: another vision tower and another projector,
 * written here and nowhere else, plug into the MoE decoder, train and generate.
 */
class VlmCompositionTest {

    /** A tower with no attention: every patch, linearly embedded, is a feature row. */
    private record PatchTowerConfig(int imageSize, int patchSize, int featureWidth) implements VisionTower.Config {
        @Override
        public int featureRows() { return (imageSize / patchSize) * (imageSize / patchSize); }

        @Override
        public VisionTower build(Params params) {
            Linear embed = new Linear(params.sub("embed"), 3 * patchSize * patchSize, featureWidth, true);
            PatchTowerConfig config = this;
            return new VisionTower() {
                @Override
                public Config config() { return config; }

                @Override
                public Tensor encode(Tensor images, ForwardContext ctx) {
                    return embed.forward(NnOps.patchify(images, patchSize)); // (B, N, D)
                }
            };
        }
    }

    /** A single linear map, no hidden layer. */
    private record LinearProjectorConfig() implements Projector.Config {
        @Override
        public Projector build(Params params, int inputWidth, int outputWidth) {
            return new Linear(params.sub("proj"), inputWidth, outputWidth, false)::forward;
        }
    }

    private final VlmConfig config = Presets.get(Presets.TINY, 20)
            .withVision(new PatchTowerConfig(16, 8, 12))
            .withProjector(new LinearProjectorConfig());
    private final Vlm model = RandomWeights.model(config, 3);
    private final Tensor images = RandomWeights.images(config, 2, 4);

    @Test
    void eachPartNamesItsParametersUnderItsOwnPrefix() {
        assertThat(model.parameters().keySet()).contains("vision.embed.weight", "vision.embed.bias", "projector.proj.weight",
                "decoder.blocks.1.moe.router.gate.weight");
        assertThat(model.parameters().keySet()).allMatch(n -> n.startsWith(Vlm.VISION + ".") || n.startsWith(Vlm.PROJECTOR + ".")
                || n.startsWith(Vlm.LANGUAGE + "."));
        assertThat(model.parameters().keySet()).noneMatch(n -> n.contains("cls_token") || n.startsWith("projector.fc1"));
    }

    @Test
    void theVisualTokensAreTheProjectedFeatureRowsAndTrainEveryPart() {
        int[] tokens = {1, 2, 3, 4, 5, 6};
        Vlm.Output out = model.forward(images, tokens, 2, ForwardContext.training(config, new Rng(5)));
        assertThat(out.vision().shape()).containsExactly(2, 4, 12);            // (B, N, D): 2x2 patches
        assertThat(out.logits().shape()).containsExactly(2, 4 + 3, 20);        // (B, Nv+T, V)
        try (var g = GradMode.noGrad()) {
            Tensor visual = model.visualTokens(images, ForwardContext.inference());
            assertThat(visual.toArray()).containsExactly(model.projector().forward(model.vision().encode(images, ForwardContext.inference())).toArray());
        }
        model.loss(out, new int[] {2, 3, 4, 5, 6, 7}, 2).total().backward();
        for (String name : new String[] {"vision.embed.weight", "projector.proj.weight", "decoder.lm_head.weight"}) {
            assertThat(model.parameters().get(name).grad()).as(name).isNotNull().matches(g -> hasNonZero(g));
        }
    }

    @Test
    void generatesWithTheKvCacheAsTheFullRecomputationDoes() {
        Generator generator = new Generator(model);
        Generator.Settings settings = new Generator.Settings(10, -1, Sampler.greedy(), 0);
        int[][] prompts = {{1, 2}, {3, 4}};
        int[][] cached = generator.generate(images, prompts, settings);
        assertThat(cached).isDeepEqualTo(generator.generateUncached(images, prompts, settings));
        assertThat(cached[0]).hasSize(10);
    }

    @Test
    void configJsonHoldsTheSeemoreFamilyOnly() {
        assertThatThrownBy(config::toJson).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flat format");
    }

    private static boolean hasNonZero(float[] values) {
        for (float v : values) if (v != 0) return true;
        return false;
    }
}
