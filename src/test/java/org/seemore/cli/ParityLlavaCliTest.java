package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.cli.ParityFolderCliTest.assertFails;
import static org.seemore.cli.ParityFolderCliTest.assertOneLineError;
import static org.seemore.cli.ParityFolderCliTest.assertPasses;
import static org.seemore.cli.ParityFolderCliTest.copy;
import static org.seemore.cli.ParityFolderCliTest.fixture;
import static org.seemore.cli.ParityFolderCliTest.rewrite;
import static org.seemore.cli.ParityFolderCliTest.shifted;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;

/**
 * {@code seemore parity DIR} on the CLIP and SigLIP vision folders and the LLaVA folders: each
 * shipped one (and each PyTorch-made one of other shapes) passes with its max differences printed;
 * a changed weight, generated id or gradient, a dropped gradient, or a parameter listed in
 * {@code params_without_grad} that does get one exits 1; a dropped input exits 2 naming it.
 */
class ParityLlavaCliTest {

    @ParameterizedTest
    @ValueSource(strings = {"hf/clip-vision", "hf/siglip-vision"})
    void visionFoldersPass(String name) {
        assertPasses(fixture(name), "last_hidden_state |ok", "pooler_output |ok", "hidden_states.0 |ok", "hidden_states.2 |ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf/llava", "hf/llava-siglip", "hf/llava-siglip-sparse", "hf-other/llava-clip48-llama-layer-3",
            "hf-other/llava-siglip36-qwen2-tied"})
    void llavaFoldersPass(String name) {
        assertPasses(fixture(name), "vision_feature |ok", "image_features |ok", "logits |ok", "loss |ok", "params_without_grad (|exact match",
                "gen.output_ids |exact match", "gen.logits |ok", "worst of |ok");
    }

    @Test
    void helpListsTheVisionAndLlavaKinds() {
        CliRun run = CliRun.of("parity", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("CLIPVisionModel, SiglipVisionModel", "LlavaForConditionalGeneration", "params_without_grad get none")
                .doesNotContain("CLIP, SigLIP, LLaVA) are not supported");
    }

    @Test
    void aChangedTowerWeightFailsTheVisionFolder(@TempDir Path tmp) {
        Path copy = copy(fixture("hf/siglip-vision"), tmp.resolve("siglip"));
        rewrite(copy, "model.safetensors", "vision_model.encoder.layers.1.mlp.fc2.bias", t -> shifted(t, 0, 0.01f));
        assertFails(copy, "last_hidden_state");
        assertFails(copy, "hidden_states.2");
    }

    @Test
    void aChangedProjectorWeightFailsFeaturesAndLogits(@TempDir Path tmp) {
        Path copy = copy(fixture("hf/llava"), tmp.resolve("llava"));
        rewrite(copy, "model.safetensors", "multi_modal_projector.linear_2.bias", t -> shifted(t, 5, 0.01f));
        assertFails(copy, "image_features");
        assertFails(copy, "logits");
    }

    @Test
    void aChangedGeneratedIdOrGradientFails(@TempDir Path tmp) {
        Path ids = copy(fixture("hf/llava-siglip"), tmp.resolve("ids"));
        rewrite(ids, "reference.safetensors", "gen.output_ids", t -> {
            long[] v = t.toLongs();
            v[v.length - 3] = (v[v.length - 3] + 1) % 512;
            return StoredTensor.ofLongs(t.name(), t.shape(), v);
        });
        assertFails(ids, "gen.output_ids");
        Path grad = copy(fixture("hf/llava"), tmp.resolve("grad"));
        rewrite(grad, "reference.safetensors", "grad.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj.weight", t -> shifted(t, 7, 2e-4f));
        assertFails(grad, "grad.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj.weight");
    }

    @Test
    void aDroppedGradientFails(@TempDir Path tmp) {
        Path copy = copy(fixture("hf/llava-siglip-sparse"), tmp.resolve("sparse"));
        rewrite(copy, "reference.safetensors", "grad.multi_modal_projector.linear_1.weight", t -> null);
        assertFails(copy, "grad.multi_modal_projector.linear_1.weight (neither in the reference nor in params_without_grad)");
    }

    @Test
    void aParameterListedWithoutGradientThatGetsOneFails(@TempDir Path tmp) {
        Path copy = copy(fixture("hf/llava-siglip"), tmp.resolve("siglip"));
        String name = "language_model.model.norm.weight";
        Path file = copy.resolve("reference.safetensors");
        SafetensorsFile read = SafetensorsFile.read(file);
        Map<String, String> metadata = new HashMap<>(read.metadata());
        String before = metadata.get("params_without_grad");
        metadata.put("params_without_grad", before.replaceFirst("\\]$", ", \"" + name + "\"]"));
        List<StoredTensor> kept = read.tensors().stream().filter(t -> !t.name().equals("grad." + name)).toList();
        assertThat(kept).hasSize(read.tensors().size() - 1);
        Safetensors.write(file.resolveSibling("changed.safetensors"), metadata, kept);
        copyOver(file.resolveSibling("changed.safetensors"), file);
        assertFails(copy, "params_without_grad (3) get no gradient");
    }

    @Test
    void aDroppedInputIsAOneLineError(@TempDir Path tmp) {
        Path copy = copy(fixture("hf/llava"), tmp.resolve("llava"));
        rewrite(copy, "reference.safetensors", "pixel_values", t -> null);
        assertOneLineError(copy, "reference.safetensors", "pixel_values");
        Path vision = copy(fixture("hf/clip-vision"), tmp.resolve("clip"));
        rewrite(vision, "reference.safetensors", "last_hidden_state", t -> null);
        assertOneLineError(vision, "reference.safetensors", "last_hidden_state");
    }

    private static void copyOver(Path from, Path to) {
        try {
            java.nio.file.Files.move(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
