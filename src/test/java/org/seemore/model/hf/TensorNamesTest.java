package org.seemore.model.hf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.io.DType;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.io.StoredTensor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The name map against every fixture: the checkpoint holds exactly the layout's tensors, in its shapes. */
class TensorNamesTest {
    @TempDir
    Path dir;

    @Test
    void everyFixtureHoldsExactlyTheTensorsItsConfigNames() {
        for (String model : HfFixtures.MODELS) {
            Path path = HfFixtures.model(model);
            TensorLayout layout = TensorNames.layout(HfModelConfig.read(path));
            SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(path);
            Map<String, List<Integer>> stored = new TreeMap<>();
            for (String name : weights.names()) stored.put(name, shape(weights.get(name).shape()));
            Map<String, List<Integer>> expected = new TreeMap<>();
            for (TensorSpec spec : layout.tensors()) expected.put(spec.name(), shape(spec.shape()));
            assertThat(layout.tensors()).as(model).hasSize(expected.size());          // no name twice
            assertThat(stored).as(model).isEqualTo(expected);
            HfModelDirectory opened = HfModelDirectory.open(path);
            assertThat(opened.layout()).isEqualTo(layout);
        }
    }

    @Test
    void theMapHasTheFamilyDetailsTheReadmeLists() {
        assertThat(names("llama")).doesNotContain("lm_head.weight").contains("model.layers.1.self_attn.q_proj.weight");
        assertThat(optional("llama")).containsExactly("lm_head.weight");
        assertThat(names("qwen2")).contains("lm_head.weight", "model.layers.0.self_attn.q_proj.bias", "model.layers.0.self_attn.v_proj.bias")
                .doesNotContain("model.layers.0.self_attn.o_proj.bias");
        assertThat(names("mixtral")).contains("model.layers.1.block_sparse_moe.gate.weight", "model.layers.1.block_sparse_moe.experts.7.w2.weight")
                .noneMatch(n -> n.contains("mlp."));
        assertThat(names("clip-vision")).contains("vision_model.pre_layrnorm.weight", "vision_model.embeddings.class_embedding")
                .doesNotContain("vision_model.embeddings.patch_embedding.bias");
        assertThat(names("siglip-vision")).contains("vision_model.head.probe", "vision_model.head.attention.in_proj_weight",
                "vision_model.embeddings.patch_embedding.bias");
        assertThat(names("llava")).contains("language_model.model.embed_tokens.weight", "vision_tower.vision_model.pre_layrnorm.bias",
                "multi_modal_projector.linear_2.bias").doesNotContain("language_model.lm_head.weight");
        assertThat(names("llava-siglip")).contains("language_model.lm_head.weight").noneMatch(n -> n.contains(".head."));
        assertThat(TensorNames.layout(HfModelConfig.read(HfFixtures.model("mixtral"))).tensors())
                .contains(new TensorSpec("model.layers.0.self_attn.k_proj.weight", new int[] {32, 64}),
                        new TensorSpec("model.layers.0.block_sparse_moe.experts.3.w1.weight", new int[] {96, 64}));
    }

    @Test
    void aShardedCopyOpensWithTheSameConfigAndTensors() {
        for (String model : List.of("llama", "llava-siglip-sparse")) {
            HfFixtures.shard(HfFixtures.model(model), dir.resolve(model), 2);
            HfModelDirectory single = HfModelDirectory.open(HfFixtures.model(model));
            HfModelDirectory sharded = HfModelDirectory.open(dir.resolve(model));
            assertThat(sharded.weights().files()).hasSize(2);
            assertThat(sharded.config()).isEqualTo(single.config());
            assertThat(sharded.generationConfig()).isEqualTo(single.generationConfig());
            assertThat(sharded.weights().tensors()).isEqualTo(single.weights().tensors());
        }
    }

    @Test
    void bf16AndF16CopiesLoadAndWidenExactly() {
        for (DType type : List.of(DType.BF16, DType.F16)) {
            Path copy = dir.resolve(type.name());
            HfFixtures.rewrite(HfFixtures.model("qwen2"), copy, t -> HfFixtures.narrowed(t, type));
            HfModelDirectory original = HfModelDirectory.open(HfFixtures.model("qwen2"));
            HfModelDirectory narrow = HfModelDirectory.open(copy);
            for (String name : original.weights().names()) {
                StoredTensor stored = narrow.weights().get(name);
                assertThat(stored.dtype()).isEqualTo(type);
                float[] f32 = original.weights().floats(name), widened = narrow.weights().floats(name);
                for (int i = 0; i < f32.length; i++) {
                    int bits = Float.floatToRawIntBits(f32[i]);
                    float expected = type == DType.BF16 ? Float.intBitsToFloat(bits & 0xFFFF0000) : Float.float16ToFloat(Float.floatToFloat16(f32[i]));
                    if (Float.floatToRawIntBits(widened[i]) != Float.floatToRawIntBits(expected)) {
                        throw new AssertionError(type + " " + name + "[" + i + "]: " + widened[i] + ", expected " + expected);
                    }
                }
            }
        }
    }

    private static List<Integer> shape(int[] shape) {
        return java.util.Arrays.stream(shape).boxed().toList();
    }

    private static Set<String> names(String model) {
        return TensorNames.layout(HfModelConfig.read(HfFixtures.model(model))).tensors().stream().map(TensorSpec::name).collect(Collectors.toSet());
    }

    private static List<String> optional(String model) {
        return TensorNames.layout(HfModelConfig.read(HfFixtures.model(model))).optional().stream().map(TensorSpec::name).toList();
    }
}
