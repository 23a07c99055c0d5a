package org.seemore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.seemore.model.decoder.DecoderConfig;
import org.seemore.model.moe.MoeConfig;
import org.seemore.model.projector.MlpProjectorConfig;
import org.seemore.model.vision.VitConfig;

/** Named part configs, one source of defaults, and config.json in the reference's flat format, as before. */
class VlmConfigTest {

    @Test
    void savesConfigJsonInTheReferencesFlatFormat() {
        // the text the 17-number config wrote, key for key
        String expected = """
                {
                  "img_size" : 32,
                  "patch_size" : 8,
                  "vit_dim" : 64,
                  "vit_heads" : 4,
                  "vit_layers" : 2,
                  "n_embd" : 32,
                  "n_head" : 4,
                  "n_layer" : 2,
                  "num_experts" : 4,
                  "top_k" : 2,
                  "vocab_size" : 20,
                  "max_pos" : 128,
                  "image_tokens" : "cls",
                  "aux_loss_coef" : 0.01,
                  "router_z_loss_coef" : 0.0,
                  "capacity_factor" : 0.0,
                  "dropout" : 0.25
                }""";
        VlmConfig config = Presets.get(Presets.TINY, 20).withDropout(0.25);
        assertThat(config.toJson()).isEqualTo(expected);
        assertThat(VlmConfig.fromJson(expected)).isEqualTo(config);
    }

    @Test
    void readsEachFlatKeyIntoItsPart() {
        VlmConfig c = VlmConfig.fromJson("""
                {"img_size": 48, "patch_size": 16, "vit_dim": 96, "vit_heads": 4, "vit_layers": 3, "n_embd": 64, "n_head": 8,
                 "n_layer": 5, "num_experts": 6, "top_k": 3, "vocab_size": 30, "max_pos": 100, "image_tokens": "patches",
                 "aux_loss_coef": 0.02, "router_z_loss_coef": 0.001, "capacity_factor": 1.25, "dropout": 0.1}""");
        assertThat(c.vision()).isEqualTo(new VitConfig(48, 16, 96, 4, 3, VitConfig.ImageTokens.PATCHES));
        assertThat(c.projector()).isEqualTo(MlpProjectorConfig.DEFAULT);
        assertThat(c.language()).isEqualTo(new DecoderConfig(64, 8, 5, 30, 100, new MoeConfig(6, 3, 1.25, 0.02, 0.001)));
        assertThat(c.dropout()).isEqualTo(0.1);
        assertThat(c.numVisualTokens()).isEqualTo(9);
        assertThat(c.maxTextTokens()).isEqualTo(91);
    }

    @Test
    void aPartsInvalidValueIsNamedAsInConfigJson() {
        String json = Presets.get(Presets.TINY, 20).toJson().replace("\"n_head\" : 4", "\"n_head\" : 5");
        assertThatThrownBy(() -> VlmConfig.fromJson(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n_embd 32 must be divisible by n_head 5");
    }

    @Test
    void presetsShareTheMoeDefaultsAndKnowTheirNames() {
        assertThat(Presets.NAMES).contains(Presets.DEFAULT);
        for (String name : Presets.NAMES) {
            VlmConfig c = Presets.get(name, 66);
            assertThat(VlmConfig.fromJson(c.toJson())).isEqualTo(c);
            MoeConfig moe = ((DecoderConfig) c.language()).moe();
            assertThat(moe).isEqualTo(MoeConfig.of(moe.numExperts(), moe.topK()));
            assertThat(moe.auxLossCoef()).isEqualTo(MoeConfig.DEFAULT_AUX_LOSS_COEF);
        }
        assertThatThrownBy(() -> Presets.get("huge", 20)).hasMessageContaining("choose one of [tiny, small, seemore]");
    }

    @Test
    void withMethodsChangeOneFieldAndValidateTheWhole() {
        VlmConfig tiny = Presets.get(Presets.TINY, 20);
        VitConfig vit = ((VitConfig) tiny.vision()).withImageTokens(VitConfig.ImageTokens.PATCHES);
        assertThat(tiny.withVision(vit).numVisualTokens()).isEqualTo(16);
        assertThat(tiny.withVocabSize(7).vocabSize()).isEqualTo(7);
        assertThat(tiny.withVocabSize(7).vision()).isSameAs(tiny.vision());
        DecoderConfig decoder = (DecoderConfig) tiny.language();
        assertThatThrownBy(() -> tiny.withVision(vit).withLanguage(decoder.withMaxPositions(16)))
                .hasMessageContaining("max_pos 16 leaves no room for text");
    }
}
