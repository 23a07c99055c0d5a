package org.seemore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.text.CharTokenizer;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.parity.ParityTestFixtures;
import org.seemore.tensor.Tensor;

class ModelDirectoryTest {
    private final CharTokenizer tokenizer = CharTokenizer.build(List.of("a small red circle"));

    @Test
    void savingAndLoadingGivesBitIdenticalParameters(@TempDir Path dir) {
        Vlm model = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 17);
        ModelDirectory.save(dir, model, tokenizer, 42);
        ModelDirectory.Loaded loaded = ModelDirectory.load(dir);
        assertThat(loaded.step()).isEqualTo(42);
        assertThat(loaded.tokenizer()).isEqualTo(tokenizer);
        assertThat(loaded.model().config()).isEqualTo(model.config());
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            float[] a = e.getValue().toArray(), b = loaded.model().parameters().get(e.getKey()).toArray();
            for (int i = 0; i < a.length; i++) assertThat(Float.floatToRawIntBits(b[i])).isEqualTo(Float.floatToRawIntBits(a[i]));
        }
    }

    @Test
    void aPyTorchCheckpointWithTheReferenceNamesLoads(@TempDir Path dir) {
        // the fixture's param.* tensors are PyTorch's state_dict; strip the prefix and load them as a checkpoint
        SafetensorsFile fixture = SafetensorsFile.read(ParityTestFixtures.path("vlm-tiny-cls.safetensors"));
        VlmConfig config = VlmConfig.fromJson(fixture.metadata().get("config"));
        List<StoredTensor> params = fixture.tensors().stream().filter(t -> t.name().startsWith("param."))
                .map(t -> StoredTensor.ofFloats(t.name().substring(6), t.shape(), t.toFloats())).toList();
        Safetensors.write(dir.resolve(ModelDirectory.WEIGHTS), Map.of(), params);
        Vlm model = new Vlm(config, 0);
        ModelDirectory.loadWeights(dir.resolve(ModelDirectory.WEIGHTS), model, n -> true);
        assertThat(model.parameters().get("decoder.lm_head.bias").toArray()).containsExactly(fixture.floats("param.decoder.lm_head.bias"));
        assertThat(model.parameters().get("vision.cls_token").toArray()).containsExactly(fixture.floats("param.vision.cls_token"));
    }

    @Test
    void mismatchedNamesAndShapesAreAllListed(@TempDir Path dir) {
        Vlm model = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 17);
        List<StoredTensor> stored = new java.util.ArrayList<>(ModelWeights.toStored(model.parameters(), ""));
        stored.removeIf(t -> t.name().equals("decoder.ln_f.bias"));
        stored.replaceAll(t -> t.name().equals("decoder.lm_head.bias") ? StoredTensor.ofFloats(t.name(), new int[] {3}, new float[3]) : t);
        stored.add(StoredTensor.ofFloats("decoder.extra.weight", new int[] {1}, new float[1]));
        Path file = dir.resolve(ModelDirectory.WEIGHTS);
        Safetensors.write(file, Map.of(), stored);
        assertThatThrownBy(() -> ModelDirectory.loadWeights(file, new Vlm(model.config(), 1), n -> true))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("3 problems")
                .hasMessageContaining("missing decoder.ln_f.bias")
                .hasMessageContaining("decoder.lm_head.bias has shape [3]")
                .hasMessageContaining("unexpected decoder.extra.weight");
    }

    @Test
    void aDirectoryWithoutAModelIsNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UserException.class).hasMessageContaining("not a model directory");
        assertThatThrownBy(() -> ModelDirectory.load(dir.resolve("nope"))).isInstanceOf(UserException.class).hasMessageContaining("no such model directory");
        Files.writeString(dir.resolve(ModelDirectory.CONFIG), "{\"img_size\": 32");
        Files.writeString(dir.resolve(ModelDirectory.WEIGHTS), "x");
        tokenizer.save(dir.resolve(ModelDirectory.TOKENIZER));
        assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UserException.class).hasMessageContaining(ModelDirectory.CONFIG);
    }
}
