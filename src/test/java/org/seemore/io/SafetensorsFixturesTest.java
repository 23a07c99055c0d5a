package org.seemore.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads every fixture file and checks that names, shapes and metadata agree with docs/fixtures.md. */
class SafetensorsFixturesTest {

    static Path fixtures() {
        try {
            return Path.of(SafetensorsFixturesTest.class.getResource("/fixtures").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> fixtureFiles() throws IOException {
        try (Stream<Path> files = Files.list(fixtures())) {
            return files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
    }

    @Test
    void everyFixtureReadsAndEveryTensorConverts() throws IOException {
        List<Path> files = fixtureFiles();
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(
                "image-preprocess.safetensors", "vlm-tiny-cls.safetensors", "vlm-tiny-generate.safetensors",
                "vlm-tiny-noisy.safetensors", "vlm-tiny-patches.safetensors", "vlm-tiny-train.safetensors");
        for (Path path : files) {
            SafetensorsFile file = SafetensorsFile.read(path);
            assertThat(file.names()).as(path.toString()).isNotEmpty();
            assertThat(file.metadata()).as(path.toString()).isNotEmpty();
            for (StoredTensor tensor : file.tensors()) {
                assertThat(tensor.dtype()).as(tensor.name()).isIn(DType.F32, DType.I64);
                long length = tensor.dtype() == DType.F32 ? tensor.toFloats().length : tensor.toLongs().length;
                assertThat(length).as(tensor.name()).isEqualTo(tensor.numel());
                if (tensor.dtype() == DType.F32) {
                    for (float v : tensor.toFloats()) assertThat(Float.isFinite(v)).as(tensor.name()).isTrue();
                }
            }
        }
    }

    @Test
    void modelFixturesMatchTheirConfig() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (Path path : fixtureFiles()) {
            if (!path.getFileName().toString().startsWith("vlm-tiny-")) continue;
            SafetensorsFile file = SafetensorsFile.read(path);
            JsonNode config = json.readTree(file.metadata("config"));
            int vitDim = config.get("vit_dim").asInt();
            int patch = config.get("patch_size").asInt();
            int imgSize = config.get("img_size").asInt();
            int embd = config.get("n_embd").asInt();
            int vocab = config.get("vocab_size").asInt();
            int grid = (imgSize / patch) * (imgSize / patch);
            assertThat(file.metadata("mode")).isIn("eval", "noisy", "greedy", "train");

            assertThat(file.get("param.vision.patch_embed.weight").shape()).containsExactly(vitDim, 3, patch, patch);
            assertThat(file.get("param.vision.cls_token").shape()).containsExactly(1, 1, vitDim);
            assertThat(file.get("param.vision.pos_embed").shape()).containsExactly(1, grid + 1, vitDim);
            assertThat(file.get("param.decoder.tok_embed.weight").shape()).containsExactly(vocab, embd);
            assertThat(file.get("param.decoder.pos_embed.weight").shape()).containsExactly(config.get("max_pos").asInt(), embd);
            assertThat(file.get("param.projector.fc1.weight").shape()).containsExactly(4 * vitDim, vitDim);
            assertThat(file.get("param.projector.fc2.weight").shape()).containsExactly(embd, 4 * vitDim);
            int[] images = file.get("input.images").shape();
            assertThat(images).hasSize(4);
            assertThat(images[1]).isEqualTo(3);
            assertThat(images[2]).isEqualTo(imgSize);
            assertThat(images[3]).isEqualTo(imgSize);

            for (String name : file.names()) {
                if (!name.startsWith("param.")) continue;
                String rest = name.substring("param.".length());
                for (String prefix : List.of("grad.", "final.")) {
                    if (file.contains(prefix + rest)) {
                        assertThat(file.get(prefix + rest).shape()).as(prefix + rest).containsExactly(file.get(name).shape());
                    }
                }
            }
            if (file.contains("output.loss")) {
                assertThat(file.get("output.loss").shape()).isEmpty();
                assertThat(file.get("output.ce_loss").shape()).isEmpty();
                assertThat(file.get("output.aux_loss").shape()).isEmpty();
                int batch = images[0];
                int tokens = file.get("input.tokens").shape()[1];
                int visual = config.get("image_tokens").asText().equals("cls") ? 1 : grid;
                assertThat(file.get("output.logits").shape()).containsExactly(batch, visual + tokens, vocab);
                assertThat(file.get("output.routes.0").shape()).containsExactly(batch, visual + tokens, config.get("top_k").asInt());
                for (String name : file.names()) {
                    if (name.startsWith("param.")) assertThat(file.contains("grad." + name.substring(6))).as(name).isTrue();
                }
            }
        }
        SafetensorsFile cls = SafetensorsFile.read(fixtures().resolve("vlm-tiny-cls.safetensors"));
        assertThat(cls.get("param.vision.patch_embed.weight").rank()).isEqualTo(4);
        assertThat(cls.metadata().keySet()).containsExactly("config", "mode", "routing_gap");
        SafetensorsFile train = SafetensorsFile.read(fixtures().resolve("vlm-tiny-train.safetensors"));
        assertThat(train.get("output.losses").shape()).containsExactly(3);
        SafetensorsFile generate = SafetensorsFile.read(fixtures().resolve("vlm-tiny-generate.safetensors"));
        assertThat(generate.get("output.tokens").shape()).containsExactly(2, 11);
        assertThat(generate.get("output.tokens").dtype()).isEqualTo(DType.I64);
    }

    @Test
    void imagePreprocessFixtureHasOneTensorPerImage() throws IOException {
        SafetensorsFile file = SafetensorsFile.read(fixtures().resolve("image-preprocess.safetensors"));
        assertThat(file.metadata("size")).isEqualTo("32");
        try (Stream<Path> images = Files.list(fixtures().resolve("images"))) {
            List<String> expected = images.map(p -> "pixels." + p.getFileName()).sorted().toList();
            assertThat(file.names()).containsExactlyInAnyOrderElementsOf(expected);
        }
        for (StoredTensor tensor : file.tensors()) assertThat(tensor.shape()).containsExactly(3, 32, 32);
    }

    @Test
    void rewritingAFixtureReproducesItsTensorsAndMetadata(@org.junit.jupiter.api.io.TempDir Path dir) {
        SafetensorsFile original = SafetensorsFile.read(fixtures().resolve("vlm-tiny-generate.safetensors"));
        Path copy = dir.resolve("copy.safetensors");
        Safetensors.write(copy, original.metadata(), original.tensors());
        SafetensorsFile reread = SafetensorsFile.read(copy);
        assertThat(reread.metadata()).containsExactlyEntriesOf(original.metadata());
        assertThat(reread.tensors()).containsExactlyElementsOf(original.tensors());
    }
}
