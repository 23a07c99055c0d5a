package org.seemore.model.hfvision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.UserException;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.model.ForwardContext;
import org.seemore.model.hf.Activation;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.LlavaConfig;
import org.seemore.model.hf.LlavaConfig.SelectStrategy;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.Params;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * {@link ClipVisionModel} and {@link SiglipVisionModel} against what transformers computes on the
 * tiny clip-vision and siglip-vision checkpoints (last_hidden_state, pooler_output, every hidden
 * state), from a dual-encoder checkpoint too, and the feature rows LLaVA selects.
 */
class HfVisionModelFixturesTest {
    private static final double TOL = 1e-4;

    private static SafetensorsFile reference(String name) {
        return SafetensorsFile.read(HfFixtures.model(name).resolve("reference.safetensors"));
    }

    private static Tensor pixels(SafetensorsFile ref) {
        return Tensor.of(ref.floats("pixel_values"), ref.get("pixel_values").shape());
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip-vision", "siglip-vision"})
    void outputsAndEveryHiddenStateMatchTransformers(String name) {
        HfVisionModel model = HfVisionModel.load(HfModelDirectory.open(HfFixtures.model(name)));
        SafetensorsFile ref = reference(name);
        HfVisionModel.Output out = model.forward(pixels(ref));
        assertMatches(name, "last_hidden_state", out.lastHiddenState(), ref);
        assertMatches(name, "pooler_output", out.poolerOutput(), ref);
        assertThat(out.hiddenStates()).hasSize(model.config().vision().numHiddenLayers() + 1);
        for (int i = 0; i < out.hiddenStates().size(); i++) assertMatches(name, "hidden_states." + i, out.hiddenStates().get(i), ref);
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip-vision", "siglip-vision", "llava", "llava-siglip"})
    void theParametersAreExactlyTheTowerTensorsOfTheNameMap(String name) {
        HfModelDirectory directory = HfModelDirectory.open(HfFixtures.model(name));
        HfVisionTowerConfig config = directory.config().config() instanceof LlavaConfig llava
                ? HfVisionTowerConfig.of(llava) : HfVisionTowerConfig.lastLayer((VisionConfig) directory.config().config());
        String prefix = name.startsWith("llava") ? "vision_tower." : "";
        HfVisionModel model = config.build(new Params(new Rng(1)).sub(prefix.isEmpty() ? "unused" : "vision_tower"));
        Map<String, List<Integer>> want = new TreeMap<>(), got = new TreeMap<>();
        directory.layout().tensors().stream().filter(t -> t.name().startsWith(prefix + "vision_model."))
                .forEach(t -> want.put(t.name(), Arrays.stream(t.shape()).boxed().toList()));
        model.parameters().forEach((n, t) -> got.put(prefix.isEmpty() ? n.substring("unused.".length()) : n,
                Arrays.stream(t.shape()).boxed().toList()));
        assertThat(got).isEqualTo(want);
    }

    @Test
    void theOpenAiClipShapesGiveTheirFeatureRows() {
        record Shape(int size, int patch, int rows) {}
        for (Shape s : List.of(new Shape(224, 32, 49), new Shape(224, 16, 196), new Shape(224, 14, 256), new Shape(336, 14, 576))) {
            VisionConfig c = new VisionConfig(VisionConfig.Family.CLIP, 1024, 4096, 24, 16, 3, s.size(), s.patch(),
                    Activation.QUICK_GELU, 1e-5, false);
            assertThat(new HfVisionTowerConfig(c, -2, SelectStrategy.DEFAULT).featureRows()).isEqualTo(s.rows());
            assertThat(new HfVisionTowerConfig(c, -2, SelectStrategy.FULL).featureRows()).isEqualTo(s.rows() + 1);
        }
    }

    @Test
    void aClipModelDualEncoderCheckpointLoadsItsVisionTower(@TempDir Path dir) throws IOException {
        Path source = HfFixtures.model("clip-vision");
        HfFixtures.rewrite(source, dir, t -> t, StoredTensor.ofFloats("text_model.embeddings.token_embedding.weight", new int[] {4, 2}, new float[8]),
                StoredTensor.ofFloats("logit_scale", new int[0], new float[] {2.6f}));
        String vision = Files.readString(source.resolve("config.json")).replace("\"CLIPVisionModel\"", "\"unused\"");
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"CLIPModel\"], \"model_type\": \"clip\", \"text_config\": {}, \"vision_config\": "
                + vision + "}");
        HfModelDirectory directory = HfModelDirectory.open(dir);
        HfVisionModel model = HfVisionModel.load(directory);
        assertThat(model).isInstanceOf(ClipVisionModel.class);
        SafetensorsFile ref = reference("clip-vision");
        assertMatches("CLIPModel", "pooler_output", model.forward(pixels(ref)).poolerOutput(), ref);
    }

    @Test
    void featuresAreTheSelectedHiddenStateWithOrWithoutItsFirstRow() {
        HfModelDirectory directory = HfModelDirectory.open(HfFixtures.model("clip-vision"));
        VisionConfig vision = (VisionConfig) directory.config().config();
        SafetensorsFile ref = reference("clip-vision");
        HfVisionModel dropCls = HfVisionModel.load(new HfVisionTowerConfig(vision, -2, SelectStrategy.DEFAULT), directory.weights());
        Tensor features = dropCls.encode(pixels(ref), ForwardContext.inference());
        assertThat(features.shape()).containsExactly(2, 16, 64);
        assertThat(dropCls.config().featureRows()).isEqualTo(16);
        Tensor want = Shaping.slice(Tensor.of(ref.floats("hidden_states.1"), 2, 17, 64), 1, 1, 16);
        assertThat(maxDiff(features.toArray(), want.toArray())).isLessThan(TOL);

        HfVisionModel full = HfVisionModel.load(new HfVisionTowerConfig(vision, 0, SelectStrategy.FULL), directory.weights());
        assertThat(full.config().featureRows()).isEqualTo(17);
        assertThat(maxDiff(full.features(pixels(ref)).toArray(), ref.floats("hidden_states.0"))).isLessThan(TOL);
        assertThatThrownBy(() -> new HfVisionTowerConfig(vision, 3, SelectStrategy.FULL)).hasMessageContaining("-3 to 2");
    }

    @Test
    void aMissingOrMisshapenTensorIsOneLineNamingIt(@TempDir Path dir) {
        HfModelDirectory directory = HfModelDirectory.open(HfFixtures.model("siglip-vision"));
        VisionConfig vision = (VisionConfig) directory.config().config();
        VisionConfig wider = new VisionConfig(vision.family(), vision.hiddenSize(), 2 * vision.intermediateSize(), vision.numHiddenLayers(),
                vision.numAttentionHeads(), vision.numChannels(), vision.imageSize(), vision.patchSize(), vision.hiddenAct(),
                vision.layerNormEps(), true);
        assertThatThrownBy(() -> HfVisionModel.load(HfVisionTowerConfig.lastLayer(wider), directory.weights()))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("vision_model.encoder.layers.0.mlp.fc1.weight is [128, 64], expected [256, 64]")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        HfFixtures.rewrite(HfFixtures.model("siglip-vision"), dir, t -> t.name().equals("vision_model.head.probe") ? null : t);
        assertThatThrownBy(() -> HfVisionModel.load(HfVisionTowerConfig.lastLayer(vision), SafetensorsCheckpoint.open(dir)))
                .isInstanceOf(UserException.class).hasMessageContaining("no tensor vision_model.head.probe");
    }

    private static void assertMatches(String model, String name, Tensor got, SafetensorsFile ref) {
        HfFixtures.assertClose(model, name, got, ref, TOL);
    }

    private static double maxDiff(float[] got, float[] want) {
        return HfFixtures.maxDiff(got, want);
    }
}
