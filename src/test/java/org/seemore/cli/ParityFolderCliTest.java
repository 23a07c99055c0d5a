package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;

/**
 * {@code seemore parity DIR} on every shipped Hugging Face fixture folder of the kinds it checks
 * (and on the folders of other shapes that scripts/reference/hf_decoder.py computed in PyTorch):
 * exit 0 with the max differences printed; a copy with one value changed exits 1; unreadable input
 * exits 2 with one line naming the file.
 */
class ParityFolderCliTest {

    static Path fixture(String name) {
        try {
            return Path.of(ParityFolderCliTest.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static CliRun parity(Path dir) {
        CliRun run = CliRun.of("parity", dir.toString());
        System.out.print(run.out());
        System.out.print(run.err());
        return run;
    }

    /** Exit 0, and for each {@code name|result} a line that starts with the name and holds the result. */
    static void assertPasses(Path dir, String... lines) {
        CliRun run = parity(dir);
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("PASS: every value within tolerance").doesNotContain("FAIL");
        for (String line : lines) {
            String[] parts = line.split("\\|", 2);
            assertThat(run.out().lines().map(String::strip).filter(l -> l.startsWith(parts[0]) && l.contains(parts.length > 1 ? parts[1] : "")))
                    .as("a line %s in%n%s", line, run.out()).isNotEmpty();
        }
    }

    static void assertFails(Path dir, String failing) {
        CliRun run = parity(dir);
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL: some values are outside the tolerance");
        assertThat(run.out().lines().filter(l -> l.contains(failing)).toList()).as(run.out()).isNotEmpty()
                .allMatch(l -> l.contains("FAIL") || l.contains("differ"));
    }

    static void assertOneLineError(Path dir, String... fragments) {
        CliRun run = parity(dir);
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err().strip()).doesNotContain("\n").doesNotContain("Exception").startsWith("seemore: ").contains(fragments);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf/llama", "hf/qwen2", "hf-other/llama-gqa3-llama3rope", "hf-other/qwen2-mha-tied"})
    void modelFoldersPass(String name) {
        assertPasses(fixture(name), "logits |ok", "hidden_states.1 |ok", "loss |ok", "gen.output_ids |exact match", "gen.logits |ok",
                "worst of |ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tokenizer", "sp-tokenizer"})
    void tokenizerFoldersPass(String name) {
        assertPasses(fixture("hf/" + name), "ids (|exact match", "tokens (|exact match", "decoded (|exact match");
    }

    @Test
    void chatTemplatesPass() {
        assertPasses(fixture("hf/chat-templates"), "rendered or error (34 cases)|exact match", "ids (32 cases)|exact match");
    }

    @Test
    void everyImageProcessorPassesThroughTheParentFolder() {
        assertPasses(fixture("hf/image-processors"), "clip-224 (image processor)", "clip-336 (image processor)", "siglip-384 (image processor)",
                "8-bit image after resize and crop (10 cases)|exact match", "pixel_values.rgba-721x938-transparent.png|max |diff| 0.000e+00");
    }

    @Test
    void oneProcessorFolderPasses() {
        CliRun run = parity(fixture("hf/image-processors/siglip-384"));
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("siglip-384 (image processor)").doesNotContain("clip-224");
    }

    @Test
    void aChangedWeightFails(@TempDir Path tmp) {
        Path copy = copy(fixture("hf-other/llama-gqa3-llama3rope"), tmp.resolve("llama"));
        rewrite(copy, "model.safetensors", "model.layers.1.mlp.up_proj.weight", t -> shifted(t, 0, 0.05f));
        assertFails(copy, "logits");
        assertFails(copy, "hidden_states.3");
    }

    @Test
    void theSameWeightsWithoutRopeScalingFail(@TempDir Path tmp) throws IOException {
        Path copy = copy(fixture("hf-other/llama-gqa3-llama3rope"), tmp.resolve("llama"));
        Path config = copy.resolve("config.json");
        String text = Files.readString(config);
        Files.writeString(config, text.substring(0, text.indexOf("\"rope_scaling\"")) + "\"rope_scaling\": null,"
                + text.substring(text.indexOf("}", text.indexOf("\"rope_scaling\"")) + 2));
        assertFails(copy, "hidden_states.1");
    }

    @Test
    void aChangedGeneratedIdOrGradientFails(@TempDir Path tmp) {
        Path ids = copy(fixture("hf/llama"), tmp.resolve("ids"));
        rewrite(ids, "reference.safetensors", "gen.output_ids", t -> {
            long[] v = t.toLongs();
            v[v.length - 1] = (v[v.length - 1] + 1) % 512;
            return StoredTensor.ofLongs(t.name(), t.shape(), v);
        });
        assertFails(ids, "gen.output_ids");
        Path grad = copy(fixture("hf/qwen2"), tmp.resolve("grad"));
        rewrite(grad, "reference.safetensors", "grad.model.layers.1.self_attn.k_proj.bias", t -> shifted(t, 3, 1e-3f));
        assertFails(grad, "grad.model.layers.1.self_attn.k_proj.bias");
    }

    @Test
    void aChangedTokenIdOrDecodedTextFails(@TempDir Path tmp) throws IOException {
        Path gpt2 = copy(fixture("hf/gpt2-tokenizer"), tmp.resolve("gpt2"));
        editLine(gpt2.resolve("tokenizer-cases.jsonl"), 5, line -> line.replaceFirst("\"ids\": \\[(\\d+)", "\"ids\": [7"));
        assertFails(gpt2, "ids (240 cases)");
        Path sp = copy(fixture("hf/sp-tokenizer"), tmp.resolve("sp"));
        editLine(sp.resolve("tokenizer-cases.jsonl"), 2, line -> line.replaceFirst("\"decoded\": \"", "\"decoded\": \"x"));
        assertFails(sp, "decoded (150 cases)");
    }

    @Test
    void aChangedRenderingFails(@TempDir Path tmp) throws IOException {
        Path chat = copy(fixture("hf/chat-templates"), tmp.resolve("chat-templates"));
        copy(fixture("hf/sp-tokenizer"), tmp.resolve("sp-tokenizer"));
        editLine(chat.resolve("cases.jsonl"), 0, line -> line.replaceFirst("\"rendered\": \"", "\"rendered\": \" "));
        assertFails(chat, "rendered or error");
    }

    @Test
    void aChangedProcessorSettingOrSizeFails(@TempDir Path tmp) throws IOException {
        // the processor folder finds its inputs through cases.jsonl's image_folder, relative to the fixtures' layout
        copy(fixture("images"), tmp.resolve("fixtures/images"));
        copy(fixture("hf/image-processors/images"), tmp.resolve("fixtures/hf/image-processors/images"));
        Path clip = copy(fixture("hf/image-processors/clip-224"), tmp.resolve("fixtures/hf/image-processors/clip-224"));
        assertPasses(clip);
        Path config = clip.resolve("preprocessor_config.json");
        Files.writeString(config, Files.readString(config).replace("0.48145466", "0.4815"));
        assertFails(clip, "pixel_values.rgb-300x40-wide.png");
        Files.copy(fixture("hf/image-processors/clip-224/preprocessor_config.json"), config, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        editLine(clip.resolve("cases.jsonl"), 0, line -> line.replaceFirst("\"resized_hw\": \\[", "\"resized_hw\": [1"));
        assertFails(clip, "resized size and crop");
    }

    @Test
    void foldersThatAreNoneOfTheKindsAreOneLineErrors(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("empty"));
        assertOneLineError(tmp.resolve("empty"), "empty", "not a parity folder");
        assertOneLineError(tmp.resolve("nowhere"), "nowhere");
    }

    @Test
    void missingOrCorruptFilesAreOneLineErrorsNamingThem(@TempDir Path tmp) throws IOException {
        Path noReference = copy(fixture("hf/qwen2"), tmp.resolve("no-reference"));
        Files.delete(noReference.resolve("reference.safetensors"));
        assertOneLineError(noReference, "reference.safetensors", "missing");
        Path corrupt = copy(fixture("hf/qwen2"), tmp.resolve("corrupt"));
        Files.write(corrupt.resolve("reference.safetensors"), new byte[] {9, 9, 9});
        assertOneLineError(corrupt, corrupt.resolve("reference.safetensors").toString());
        Path noInput = copy(fixture("hf/qwen2"), tmp.resolve("no-input"));
        rewrite(noInput, "reference.safetensors", "input_ids", t -> null);
        assertOneLineError(noInput, "reference.safetensors", "input_ids");
        Path badLine = copy(fixture("hf/sp-tokenizer"), tmp.resolve("bad-line"));
        editLine(badLine.resolve("tokenizer-cases.jsonl"), 3, line -> "{\"text\": ");
        assertOneLineError(badLine, "tokenizer-cases.jsonl:4");
        Path noImages = copy(fixture("hf/image-processors/siglip-384"), tmp.resolve("siglip-384"));
        assertOneLineError(noImages, "cases.jsonl:1", "not found");
    }

    @Test
    void fileModeStillRunsSeemoreDumps() {
        CliRun run = CliRun.of("parity", fixture("vlm-tiny-cls.safetensors").toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("vlm-tiny-cls.safetensors (mode eval)", "output.logits", "PASS");
    }

    static StoredTensor shifted(StoredTensor t, int index, float by) {
        float[] v = t.toFloats();
        v[index] += by;
        return StoredTensor.ofFloats(t.name(), t.shape(), v);
    }

    /** Rewrites {@code file} in {@code dir} with tensor {@code name} changed (null drops it), keeping its metadata. */
    static void rewrite(Path dir, String file, String name, UnaryOperator<StoredTensor> change) {
        Path target = dir.resolve(file);
        Path original = dir.resolve(file + ".orig");
        try {
            Files.move(target, original);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsFile read = SafetensorsFile.read(original);
        List<StoredTensor> tensors = new ArrayList<>();
        for (StoredTensor t : read.tensors()) {
            StoredTensor out = t.name().equals(name) ? change.apply(t) : t;
            if (out != null) tensors.add(out);
        }
        assertThat(read.contains(name)).isTrue();
        Safetensors.write(target, read.metadata(), tensors);
    }

    private static void editLine(Path file, int index, UnaryOperator<String> change) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String changed = change.apply(lines.get(index));
        assertThat(changed).isNotEqualTo(lines.get(index));
        lines.set(index, changed);
        Files.write(file, lines);
    }

    static Path copy(Path source, Path target) {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
