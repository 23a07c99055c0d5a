package org.seemore.model.hf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.io.StoredTensor;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.model.hf.HfConfigTest.assertOneLine;

/** Opening model directories: what is tolerated, and one line listing everything that does not match the config. */
class HfModelDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void oneErrorListsEveryMissingWrongAndUnexpectedTensor() {
        Path broken = dir.resolve("llama");
        HfFixtures.rewrite(HfFixtures.model("llama"), broken, t -> switch (t.name()) {
            case "model.norm.weight", "model.layers.1.mlp.up_proj.weight" -> null;
            case "model.layers.0.self_attn.k_proj.weight" -> StoredTensor.ofFloats(t.name(), new int[] {64, 64}, new float[64 * 64]);
            case "model.layers.0.input_layernorm.weight" -> StoredTensor.ofLongs(t.name(), new int[] {64}, new long[64]);
            default -> t;
        }, StoredTensor.ofFloats("model.layers.2.input_layernorm.weight", new int[] {64}, new float[64]),
                StoredTensor.ofFloats("lm_head.weight", new int[] {512, 32}, new float[512 * 32]));
        assertOneLine(() -> HfModelDirectory.open(broken), broken.toString(), "the weights do not match config.json (LlamaForCausalLM)",
                "2 missing: model.layers.1.mlp.up_proj.weight, model.norm.weight",
                "3 wrong: lm_head.weight is [512, 32], expected [512, 64], model.layers.0.input_layernorm.weight is I64, expected F32, BF16 or F16, "
                        + "model.layers.0.self_attn.k_proj.weight is [64, 64], expected [32, 64]",
                "1 unexpected: model.layers.2.input_layernorm.weight");
    }

    @Test
    void savedBuffersAndATiedCopyOfTheEmbeddingsAreTolerated() {
        Path llama = dir.resolve("llama");
        StoredTensor embeddings = SafetensorsCheckpoint.open(HfFixtures.model("llama")).get("model.embed_tokens.weight");
        HfFixtures.rewrite(HfFixtures.model("llama"), llama, t -> t,
                StoredTensor.ofFloats("lm_head.weight", embeddings.shape(), embeddings.toFloats()),
                StoredTensor.ofFloats("model.layers.0.self_attn.rotary_emb.inv_freq", new int[] {8}, new float[8]));
        HfModelDirectory opened = HfModelDirectory.open(llama);
        assertThat(opened.layout().isIgnored("model.layers.0.self_attn.rotary_emb.inv_freq")).isTrue();
        assertThat(opened.weights().contains("lm_head.weight")).isTrue();

        Path clip = dir.resolve("clip");
        HfFixtures.rewrite(HfFixtures.model("clip-vision"), clip, t -> t,
                StoredTensor.ofLongs("vision_model.embeddings.position_ids", new int[] {1, 17}, new long[17]));
        assertThat(HfModelDirectory.open(clip).architecture()).isEqualTo(Architecture.CLIP_VISION);
    }

    @Test
    void aClipDualEncoderIsReadForItsVisionTower() throws IOException {
        Path clip = dir.resolve("clip");
        HfFixtures.rewrite(HfFixtures.model("clip-vision"), clip, t -> t,
                StoredTensor.ofFloats("text_model.embeddings.token_embedding.weight", new int[] {10, 8}, new float[80]),
                StoredTensor.ofFloats("visual_projection.weight", new int[] {8, 64}, new float[8 * 64]),
                StoredTensor.ofFloats("logit_scale", new int[] {}, new float[1]));
        String vision = Files.readString(HfFixtures.model("clip-vision").resolve("config.json"));
        HfFixtures.write(clip.resolve("config.json"), "{\"architectures\": [\"CLIPModel\"], \"model_type\": \"clip\", \"vision_config\": " + vision + "}");
        HfModelDirectory opened = HfModelDirectory.open(clip);
        assertThat(opened.architecture()).isEqualTo(Architecture.CLIP);
        assertThat(opened.config().config()).isEqualTo(HfModelConfig.read(HfFixtures.model("clip-vision")).config());
        // the same tensors under a vision model's config are unexpected
        HfFixtures.write(clip.resolve("config.json"), vision);
        assertOneLine(() -> HfModelDirectory.open(clip), "3 unexpected: logit_scale, text_model.embeddings.token_embedding.weight, visual_projection.weight");
    }

    @Test
    void specialTokensComeFromGenerationConfigThenConfig() {
        HfModelDirectory llama = HfModelDirectory.open(HfFixtures.model("llama"));
        assertThat(llama.eosTokenIds()).containsExactly(2);
        assertThat(llama.bosTokenId()).hasValue(1);
        assertThat(llama.decoder()).isPresent();
        HfModelDirectory qwen = HfModelDirectory.open(HfFixtures.model("llava-siglip"));
        assertThat(qwen.eosTokenIds()).isEmpty();
        assertThat(qwen.bosTokenId()).isEmpty();
        assertThat(HfModelDirectory.open(HfFixtures.model("siglip-vision")).decoder()).isEmpty();
        Path eos = dir.resolve("eos");
        HfFixtures.shard(HfFixtures.model("llama"), eos, 2);
        HfFixtures.write(eos.resolve("generation_config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": [2, 7]}");
        assertThat(HfModelDirectory.open(eos).eosTokenIds()).containsExactly(2, 7);
    }

    @Test
    void everyBadDirectoryIsOneLineNamingTheFile() throws IOException {
        assertOneLine(() -> HfModelDirectory.open(dir.resolve("absent")), "absent", "no such model directory");
        assertOneLine(() -> HfModelDirectory.open(dir), dir.toString(), "no config.json");

        Path mistral = dir.resolve("mistral");
        HfFixtures.rewrite(HfFixtures.model("llama"), mistral, t -> t);
        HfFixtures.write(mistral.resolve("config.json"), Files.readString(mistral.resolve("config.json"))
                .replace("LlamaForCausalLM", "MistralForCausalLM"));
        assertOneLine(() -> HfModelDirectory.open(mistral), "config.json", "MistralForCausalLM is not supported", "seemore reads LlamaForCausalLM");

        Path noWeights = dir.resolve("no-weights");
        Files.createDirectories(noWeights);
        Files.copy(HfFixtures.model("qwen2").resolve("config.json"), noWeights.resolve("config.json"));
        assertOneLine(() -> HfModelDirectory.open(noWeights), "no-weights", "no model.safetensors or model.safetensors.index.json");

        Path sharded = dir.resolve("sharded");
        HfFixtures.shard(HfFixtures.model("llava"), sharded, 2);
        Path shard = sharded.resolve("model-00001-of-00002.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(shard.toFile(), "rw")) {
            file.setLength(file.length() - 4);
        }
        assertOneLine(() -> HfModelDirectory.open(sharded), shard.toString(), "truncated (4 bytes short)");
        HfFixtures.write(sharded.resolve(SafetensorsCheckpoint.INDEX), "{\"weight_map\": ");
        assertOneLine(() -> HfModelDirectory.open(sharded), sharded.resolve(SafetensorsCheckpoint.INDEX).toString(), "not valid JSON");

        Path badGeneration = dir.resolve("bad-generation");
        HfFixtures.rewrite(HfFixtures.model("mixtral"), badGeneration, t -> t);
        HfFixtures.write(badGeneration.resolve("generation_config.json"), "{\"eos_token_id\": -1}");
        assertOneLine(() -> HfModelDirectory.open(badGeneration), "generation_config.json: eos_token_id");
        assertThat(List.of(HfModelConfig.FILE, GenerationConfig.FILE)).containsExactly("config.json", "generation_config.json");
    }
}
