package org.seemore.model.hf;

import org.junit.jupiter.api.Test;
import org.seemore.io.HfFixtures;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** Every fixture's config.json (and generation_config.json) parses to the values the fixtures' README states. */
class HfConfigFixturesTest {
    private static HfModelConfig config(String model) {
        return HfModelConfig.read(HfFixtures.model(model));
    }

    @Test
    void clipVisionTower() {
        HfModelConfig read = config("clip-vision");
        assertThat(read.architecture()).isEqualTo(Architecture.CLIP_VISION);
        assertThat(read.config()).isEqualTo(new VisionConfig(VisionConfig.Family.CLIP, 64, 128, 2, 4, 3, 32, 8, Activation.QUICK_GELU, 1e-5, false));
        VisionConfig clip = (VisionConfig) read.config();
        assertThat(clip.gridSize()).isEqualTo(4);
        assertThat(clip.numPatches()).isEqualTo(16);
        assertThat(clip.numPositions()).isEqualTo(17);
        assertThat(clip.headDim()).isEqualTo(16);
        assertThat(clip.hasClassEmbedding()).isTrue();
    }

    @Test
    void siglipVisionTowerWithItsHead() {
        HfModelConfig read = config("siglip-vision");
        assertThat(read.architecture()).isEqualTo(Architecture.SIGLIP_VISION);
        assertThat(read.config()).isEqualTo(new VisionConfig(VisionConfig.Family.SIGLIP, 64, 128, 2, 4, 3, 32, 8, Activation.GELU_TANH, 1e-6, true));
        assertThat(((VisionConfig) read.config()).numPositions()).isEqualTo(16);
    }

    @Test
    void llamaIsTiedWithGroupedQueryAttention() {
        HfModelConfig read = config("llama");
        assertThat(read.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(read.config()).isEqualTo(llama());
        assertThat(llama().groupSize()).isEqualTo(2);
        assertThat(GenerationConfig.read(HfFixtures.model("llama")))
                .contains(new GenerationConfig(OptionalInt.of(1), List.of(2), OptionalInt.empty()));
    }

    @Test
    void qwen2HasQkvBiasesAndNoSpecialTokens() {
        HfModelConfig read = config("qwen2");
        assertThat(read.architecture()).isEqualTo(Architecture.QWEN2);
        assertThat(read.config()).isEqualTo(qwen2(1e6));
        assertThat(GenerationConfig.read(HfFixtures.model("qwen2")))
                .contains(new GenerationConfig(OptionalInt.empty(), List.of(), OptionalInt.empty()));
    }

    @Test
    void mixtralHasEightExpertsTwoPerToken() {
        HfModelConfig read = config("mixtral");
        assertThat(read.architecture()).isEqualTo(Architecture.MIXTRAL);
        assertThat(read.config()).isEqualTo(new DecoderConfig(DecoderConfig.Family.MIXTRAL, 512, 64, 96, 2, 4, 2, 16, 128, 1e-5, 1e6,
                Optional.empty(), Activation.SILU, false, false, false, false, Optional.empty(),
                Optional.of(new DecoderConfig.Moe(8, 2, 0.02, 0.0)), OptionalInt.of(1), List.of(2)));
        assertThat(GenerationConfig.read(HfFixtures.model("mixtral")))
                .contains(new GenerationConfig(OptionalInt.of(1), List.of(2), OptionalInt.empty()));
    }

    @Test
    void llavaWithClipAndTiedLlama() {
        HfModelConfig read = config("llava");
        assertThat(read.architecture()).isEqualTo(Architecture.LLAVA);
        LlavaConfig llava = (LlavaConfig) read.config();
        assertThat(llava).isEqualTo(new LlavaConfig(
                new VisionConfig(VisionConfig.Family.CLIP, 64, 128, 2, 4, 3, 32, 8, Activation.QUICK_GELU, 1e-5, false), llama(),
                -2, LlavaConfig.SelectStrategy.DEFAULT, Activation.GELU, 500, 16, -100, true));
        assertThat(llava.tieWordEmbeddings()).isTrue();
        assertThat(llava.featureRows()).isEqualTo(16);
    }

    @Test
    void llavaWithSiglipAndQwen2() {
        HfModelConfig read = config("llava-siglip");
        LlavaConfig llava = (LlavaConfig) read.config();
        assertThat(llava).isEqualTo(llavaSiglip(1e6));
        assertThat(llava.tieWordEmbeddings()).isFalse();
        assertThat(llava.featureRows()).isEqualTo(16);
        assertThat(GenerationConfig.read(HfFixtures.model("llava-siglip")))
                .contains(new GenerationConfig(OptionalInt.empty(), List.of(), OptionalInt.empty()));
    }

    @Test
    void sparseLlavaTakesTheClassDefaultsForEveryAbsentKey() {
        // only the values that differ from the defaults are in the file: no text rope_theta, rms_norm_eps,
        // hidden_act, vision layer_norm_eps, hidden_act, num_channels, no projector_hidden_act, ignore_index
        LlavaConfig sparse = (LlavaConfig) config("llava-siglip-sparse").config();
        assertThat(sparse).isEqualTo(llavaSiglip(10000));
        assertThat(sparse.text().rmsNormEps()).isEqualTo(1e-6);
        assertThat(sparse.vision().layerNormEps()).isEqualTo(1e-6);
        assertThat(sparse.vision().hiddenAct()).isEqualTo(Activation.GELU_TANH);
        assertThat(sparse.projectorHiddenAct()).isEqualTo(Activation.GELU);
        assertThat(sparse.ignoreIndex()).isEqualTo(-100);
        assertThat(sparse.text().bosTokenId()).isEmpty();
    }

    static DecoderConfig llama() {
        return new DecoderConfig(DecoderConfig.Family.LLAMA, 512, 64, 160, 2, 4, 2, 16, 128, 1e-5, 10000, Optional.empty(),
                Activation.SILU, true, false, false, false, Optional.empty(), Optional.empty(), OptionalInt.of(1), List.of(2));
    }

    static DecoderConfig qwen2(double ropeTheta) {
        return new DecoderConfig(DecoderConfig.Family.QWEN2, 512, 64, 160, 2, 4, 2, 16, 128, 1e-6, ropeTheta, Optional.empty(),
                Activation.SILU, false, true, false, false, Optional.empty(), Optional.empty(), OptionalInt.empty(), List.of());
    }

    static LlavaConfig llavaSiglip(double ropeTheta) {
        return new LlavaConfig(new VisionConfig(VisionConfig.Family.SIGLIP, 64, 128, 2, 4, 3, 32, 8, Activation.GELU_TANH, 1e-6, false),
                qwen2(ropeTheta), -1, LlavaConfig.SelectStrategy.FULL, Activation.GELU, 500, 16, -100, true);
    }
}
