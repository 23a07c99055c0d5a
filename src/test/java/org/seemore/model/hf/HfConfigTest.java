package org.seemore.model.hf;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.io.HfFixtures;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configs of real checkpoints the fixtures do not cover (written inline), defaults, and every kind of bad config. */
class HfConfigTest {
    @TempDir
    Path dir;

    private HfModelConfig read(String json) {
        HfFixtures.write(dir.resolve("config.json"), json);
        return HfModelConfig.read(dir);
    }

    private void assertFails(String json, String... fragments) {
        HfFixtures.write(dir.resolve("config.json"), json);
        assertOneLine(() -> HfModelConfig.read(dir), fragments);
    }

    static void assertOneLine(ThrowingCallable call, String... fragments) {
        var assertion = assertThatThrownBy(call).isInstanceOf(UserException.class);
        for (String fragment : fragments) assertion.hasMessageContaining(fragment);
        assertion.satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void llama31WithLlama3RopeScalingAndSeveralEosIds() {
        // Llama-3.2-1B-Instruct's config.json, abridged
        DecoderConfig c = (DecoderConfig) read("""
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "bos_token_id": 128000,
                 "eos_token_id": [128001, 128008, 128009], "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048,
                 "intermediate_size": 8192, "max_position_embeddings": 131072, "num_attention_heads": 32,
                 "num_hidden_layers": 16, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
                 "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                  "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                 "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "vocab_size": 128256}
                """).config();
        assertThat(c.ropeScaling()).contains(new RopeScaling(RopeScaling.Type.LLAMA3, 32, 1, 4, 8192));
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(c.bosTokenId()).hasValue(128000);
        assertThat(c.groupSize()).isEqualTo(4);
        assertThat(c.tieWordEmbeddings()).isTrue();
        // transformers reads the older key "type" as "rope_type"
        DecoderConfig linear = (DecoderConfig) read("{\"model_type\": \"llama\", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2}}").config();
        assertThat(linear.ropeScaling().orElseThrow().type()).isEqualTo(RopeScaling.Type.LINEAR);
        assertThat(((DecoderConfig) read("{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"default\"}}").config()).ropeScaling()).isEmpty();
    }

    @Test
    void absentKeysTakeEachFamilysClassDefaults() {
        assertThat(read("{\"architectures\": [\"LlamaForCausalLM\"]}").config()).isEqualTo(new DecoderConfig(DecoderConfig.Family.LLAMA,
                32000, 4096, 11008, 32, 32, 32, 128, 2048, 1e-6, 10000, Optional.empty(), Activation.SILU, false, false, false, false,
                Optional.empty(), Optional.empty(), OptionalInt.of(1), List.of(2)));
        assertThat(read("{\"model_type\": \"qwen2\"}").config()).isEqualTo(new DecoderConfig(DecoderConfig.Family.QWEN2,
                151936, 4096, 22016, 32, 32, 32, 128, 32768, 1e-6, 10000, Optional.empty(), Activation.SILU, false, true, false, false,
                Optional.empty(), Optional.empty(), OptionalInt.empty(), List.of()));
        assertThat(read("{\"model_type\": \"mixtral\"}").config()).isEqualTo(new DecoderConfig(DecoderConfig.Family.MIXTRAL,
                32000, 4096, 14336, 32, 32, 8, 128, 131072, 1e-5, 1e6, Optional.empty(), Activation.SILU, false, false, false, false,
                Optional.empty(), Optional.of(new DecoderConfig.Moe(8, 2, 0.001, 0)), OptionalInt.of(1), List.of(2)));
        assertThat(read("{\"model_type\": \"clip_vision_model\"}").config())
                .isEqualTo(new VisionConfig(VisionConfig.Family.CLIP, 768, 3072, 12, 12, 3, 224, 32, Activation.QUICK_GELU, 1e-5, false));
        assertThat(read("{\"model_type\": \"siglip_vision_model\"}").config())
                .isEqualTo(new VisionConfig(VisionConfig.Family.SIGLIP, 768, 3072, 12, 12, 3, 224, 16, Activation.GELU_TANH, 1e-6, true));
        // null means "unset": num_key_value_heads falls back to the attention heads, bos to none
        DecoderConfig nulls = (DecoderConfig) read("{\"model_type\": \"mixtral\", \"num_key_value_heads\": null, \"bos_token_id\": null}").config();
        assertThat(nulls.numKeyValueHeads()).isEqualTo(32);
        assertThat(nulls.bosTokenId()).isEmpty();
        // Llama's attention_bias and mlp_bias; Qwen2's sliding window
        DecoderConfig biased = (DecoderConfig) read("{\"model_type\": \"llama\", \"attention_bias\": true, \"mlp_bias\": true}").config();
        assertThat(List.of(biased.qkvBias(), biased.outputBias(), biased.mlpBias())).containsExactly(true, true, true);
        assertThat(((DecoderConfig) read("{\"model_type\": \"qwen2\", \"use_sliding_window\": true}").config()).slidingWindow())
                .contains(new DecoderConfig.SlidingWindow(4096, 28));
    }

    @Test
    void dualEncodersContributeTheirVisionConfig() {
        HfModelConfig clip = read("{\"architectures\": [\"CLIPModel\"], \"model_type\": \"clip\", \"text_config\": {\"hidden_size\": 512},"
                + " \"vision_config\": {\"hidden_size\": 1024, \"intermediate_size\": 4096, \"num_attention_heads\": 16,"
                + " \"num_hidden_layers\": 24, \"patch_size\": 14, \"image_size\": 336, \"projection_dim\": 768}}");
        assertThat(clip.architecture()).isEqualTo(Architecture.CLIP);
        assertThat(clip.config()).isEqualTo(new VisionConfig(VisionConfig.Family.CLIP, 1024, 4096, 24, 16, 3, 336, 14, Activation.QUICK_GELU, 1e-5, false));
        assertThat(((VisionConfig) clip.config()).numPositions()).isEqualTo(577);
        HfModelConfig siglip = read("{\"architectures\": [\"SiglipModel\"], \"vision_config\": {\"image_size\": 384, \"patch_size\": 14}}");
        assertThat(siglip.config()).isEqualTo(new VisionConfig(VisionConfig.Family.SIGLIP, 768, 3072, 12, 12, 3, 384, 14, Activation.GELU_TANH, 1e-6, true));
    }

    @Test
    void llavaBuildsAbsentSubConfigsAsTransformersDoes() {
        LlavaConfig llava = (LlavaConfig) read("{\"model_type\": \"llava\", \"text_config\": {\"vocab_size\": 32064}}").config();
        assertThat(llava.vision()).isEqualTo(new VisionConfig(VisionConfig.Family.CLIP, 1024, 4096, 24, 16, 3, 336, 14, Activation.QUICK_GELU, 1e-5, false));
        assertThat(llava.text().family()).isEqualTo(DecoderConfig.Family.LLAMA);
        assertThat(llava.text().hiddenSize()).isEqualTo(4096);
        assertThat(List.of(llava.visionFeatureLayer(), llava.imageTokenIndex(), llava.imageSeqLength())).containsExactly(-2, 32000, 576);
        assertThat(llava.featureRows()).isEqualTo(576);
        LlavaConfig newer = (LlavaConfig) read("{\"model_type\": \"llava\", \"image_token_id\": 7, \"multimodal_projector_bias\": false,"
                + " \"vision_config\": {\"model_type\": \"siglip_vision_model\"}, \"text_config\": {\"model_type\": \"qwen2\"}}").config();
        assertThat(newer.imageTokenIndex()).isEqualTo(7);
        assertThat(newer.projectorBias()).isFalse();
        assertThat(newer.vision().useHead()).isTrue();
    }

    @Test
    void generationConfigReadsOneOrSeveralEosIds() {
        HfFixtures.write(dir.resolve("generation_config.json"), "{\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128009], \"pad_token_id\": 0}");
        assertThat(GenerationConfig.read(dir)).contains(new GenerationConfig(OptionalInt.of(128000), List.of(128001, 128009), OptionalInt.of(0)));
        HfFixtures.write(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"2\"}");
        assertOneLine(() -> GenerationConfig.read(dir), "generation_config.json", "eos_token_id", "token id");
        HfFixtures.write(dir.resolve("generation_config.json"), "{\"bos_token_id\": [1, 2]}");
        assertOneLine(() -> GenerationConfig.read(dir), "generation_config.json", "bos_token_id", "one token id");
        assertThat(GenerationConfig.read(dir.resolve("nothing-here"))).isEmpty();
    }

    @Test
    void aDirectoryWithoutConfigSaysSo() {
        assertOneLine(() -> HfModelConfig.read(dir), dir.toString(), "no config.json");
    }

    @Test
    void unsupportedArchitecturesAreNamedWithTheSupportedOnes() {
        assertFails("{\"architectures\": [\"MistralForCausalLM\"], \"model_type\": \"mistral\"}", "config.json",
                "architecture MistralForCausalLM is not supported", "seemore reads LlamaForCausalLM, Qwen2ForCausalLM, MixtralForCausalLM, "
                        + "CLIPVisionModel, CLIPModel, SiglipVisionModel, SiglipModel, LlavaForConditionalGeneration");
        assertFails("{\"model_type\": \"gemma\"}", "config.json", "model_type gemma is not supported", "LlavaForConditionalGeneration");
        assertFails("{\"hidden_size\": 64}", "config.json", "neither \"architectures\" nor \"model_type\"");
        assertFails("{\"architectures\": \"LlamaForCausalLM\"}", "architectures", "expected a list");
        assertThat(read("{\"architectures\": [], \"model_type\": \"qwen2\"}").architecture()).isEqualTo(Architecture.QWEN2);
        assertFails("{\"model_type\": \"llava\", \"text_config\": {\"model_type\": \"mistral\"}}", "text_config.model_type",
                "\"mistral\" is not a language model seemore reads (llama, qwen2, mixtral)");
        assertFails("{\"model_type\": \"llava\", \"vision_config\": {\"model_type\": \"dinov2\"}}", "vision_config.model_type", "dinov2");
    }

    @Test
    void badValuesNameTheFileAndTheKey() {
        assertFails("{\"model_type\": \"llama\", \"hidden_size\": \"64\"}", "config.json: hidden_size: expected an integer, got \"64\"");
        assertFails("{\"model_type\": \"llama\", \"hidden_size\": 0}", "hidden_size: expected a positive integer");
        assertFails("{\"model_type\": \"llama\", \"hidden_size\": 100, \"num_attention_heads\": 3}", "hidden_size", "not a multiple of num_attention_heads (3)");
        assertFails("{\"model_type\": \"llama\", \"num_attention_heads\": 32, \"num_key_value_heads\": 5}",
                "num_attention_heads (32) must be a multiple of num_key_value_heads (5)");
        assertFails("{\"model_type\": \"llama\", \"rms_norm_eps\": -1}", "rms_norm_eps: expected a number greater than 0");
        assertFails("{\"model_type\": \"llama\", \"hidden_act\": \"mish\"}", "hidden_act: unknown activation \"mish\"", "silu");
        assertFails("{\"model_type\": \"llama\", \"tie_word_embeddings\": \"yes\"}", "tie_word_embeddings: expected true or false");
        assertFails("{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}}",
                "rope_scaling.rope_type: \"yarn\" is not supported (seemore reads llama3, linear and default)");
        assertFails("{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8}}",
                "rope_scaling.low_freq_factor: missing");
        assertFails("{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 4,"
                + " \"high_freq_factor\": 1, \"original_max_position_embeddings\": 8192}}", "low_freq_factor < high_freq_factor");
        assertFails("{\"model_type\": \"mixtral\", \"num_local_experts\": 4, \"num_experts_per_tok\": 5}",
                "num_experts_per_tok (5) must be between 1 and num_local_experts (4)");
        assertFails("{\"model_type\": \"clip_vision_model\", \"patch_size\": 300}", "patch_size (300) is larger than image_size (224)");
        assertFails("{\"model_type\": \"llava\", \"text_config\": {\"model_type\": \"qwen2\", \"num_key_value_heads\": 3}}",
                "config.json: text_config: num_attention_heads (32) must be a multiple of num_key_value_heads (3)");
        assertFails("{\"model_type\": \"llava\", \"vision_feature_layer\": 30, \"text_config\": {\"vocab_size\": 32064}}",
                "vision_feature_layer 30 is outside the tower's 25 hidden states");
        assertFails("{\"model_type\": \"llava\", \"vision_feature_layer\": [-2, -5]}", "vision_feature_layer: a list of layers is not supported");
        assertFails("{\"model_type\": \"llava\"}", "image_token_index 32000 is not a token of text_config's vocabulary of 32000");
        assertFails("{\"model_type\": \"llava\", \"vision_feature_select_strategy\": \"cls\"}", "vision_feature_select_strategy");
        assertFails("{\"model_type\": \"llava\", \"vision_config\": []}", "vision_config: expected a JSON object");
        assertFails("{\"model_type\": \"llama\",", "config.json: not valid JSON");
        assertFails("[1, 2]", "config.json: not a JSON object");
    }
}
