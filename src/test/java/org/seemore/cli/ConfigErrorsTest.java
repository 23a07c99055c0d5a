package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;

/** Bad model configs and model paths: one line naming the file, key and value; a non-zero exit; no stack trace. */
class ConfigErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static void assertOneLineError(CliRun r, String... fragments) {
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) assertThat(r.err()).contains(f);
    }

    /** A tiny model directory whose config.json is then edited. */
    private static Path modelWithConfig(Path dir, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        CharTokenizer tokenizer = CharTokenizer.build(List.of("a small red circle"));
        ModelDirectory.save(dir, new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 1), tokenizer, 1);
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve(ModelDirectory.CONFIG).toFile());
        edit.accept(config);
        Files.writeString(dir.resolve(ModelDirectory.CONFIG), config.toString());
        return dir;
    }

    @Test
    void aModelConfigWhoseTensorsCannotExistIsNamed(@TempDir Path tmp) throws Exception {
        Path model = modelWithConfig(tmp.resolve("m"), c -> c.put("n_embd", 1_000_000).put("n_head", 1));
        assertOneLineError(CliRun.of("caption", "--model", model.toString(), "x.png"), model.resolve("config.json").toString(), "n_embd 1000000");
    }

    @Test
    void aMissingKeyIsNamedWithItsFile(@TempDir Path tmp) throws Exception {
        Path model = modelWithConfig(tmp.resolve("m"), c -> c.remove("n_layer"));
        CliRun r = CliRun.of("eval", "--model", model.toString(), "--data", "synthetic:shapes:test");
        assertOneLineError(r, model.resolve("config.json").toString(), "missing key \"n_layer\"");
        assertThat(r.err()).doesNotContain("positive");
    }

    @Test
    void stringAndFractionalValuesAreRefusedWithFileKeyAndValue(@TempDir Path tmp) throws Exception {
        Path model = modelWithConfig(tmp.resolve("m"), c -> c.put("n_embd", "32"));
        assertOneLineError(CliRun.of("caption", "--model", model.toString(), "x.png"), model.resolve("config.json").toString(), "n_embd", "\"32\"");
        Path config = tmp.resolve("model.json");
        ObjectNode node = (ObjectNode) JSON.readTree(Presets.get("tiny", 4).toJson());
        node.remove("vocab_size"); // a --config file needs none: the tokenizer decides
        Files.writeString(config, node.put("n_layer", 2.5).toString());
        assertOneLineError(CliRun.of("train", "--data", "synthetic:shapes", "--out", tmp.resolve("run").toString(), "--config", config.toString()),
                "--config " + config, "n_layer", "2.5");
        assertThat(tmp.resolve("run")).doesNotExist();
        Files.writeString(config, "{\"img_size\": 32,,}");
        assertOneLineError(CliRun.of("train", "--data", "synthetic:shapes", "--out", tmp.resolve("run").toString(), "--config", config.toString()),
                "--config " + config, "not valid JSON at line 1, column 17");
    }

    @Test
    void aModelPathThatIsAFileSaysSoAndWhatADirectoryHolds(@TempDir Path tmp) throws Exception {
        Path model = modelWithConfig(tmp.resolve("m"), c -> {});
        Path weights = model.resolve(ModelDirectory.WEIGHTS);
        CliRun r = CliRun.of("caption", "--model", weights.toString(), "x.png");
        assertOneLineError(r, weights + ": a file, not a model directory", ModelDirectory.CONFIG, ModelDirectory.TOKENIZER, "give its directory " + model);
        Path other = Files.writeString(tmp.resolve("notes.txt"), "x");
        assertOneLineError(CliRun.of("eval", "--model", other.toString(), "--data", "synthetic:shapes:test"), other + ": a file, not a model directory");
    }

    @Test
    void aModelTooLargeForTheHeapIsRefusedBeforeAnythingIsAllocated(@TempDir Path tmp) throws Exception {
        // 16384 wide: 8 experts of 2 x 4 x 16384^2 weights per layer, some 270 GB of parameters and training state
        ObjectNode node = (ObjectNode) JSON.readTree(Presets.get("tiny", 4).toJson());
        Path config = Files.writeString(tmp.resolve("wide.json"), node.put("n_embd", 16384).toString());
        long start = System.nanoTime();
        CliRun r = CliRun.of("train", "--data", "synthetic:shapes", "--out", tmp.resolve("run").toString(), "--config", config.toString());
        assertOneLineError(r, "--config " + config + " at --batch-size 32 needs at least", "of heap (parameters", "the JVM may use",
                "SEEMORE_JAVA_OPTS=-Xmx", "use a smaller model");
        assertThat((System.nanoTime() - start) / 1e9).as("seconds to refuse").isLessThan(10);
        assertThat(tmp.resolve("run")).doesNotExist();

        Path model = modelWithConfig(tmp.resolve("m"), c -> c.put("n_embd", 16384));
        assertOneLineError(CliRun.of("caption", "--model", model.toString(), "x.png"), model + " needs at least", "the JVM may use", "SEEMORE_JAVA_OPTS=-Xmx");
        assertOneLineError(CliRun.of("eval", "--model", model.toString(), "--data", "synthetic:shapes:test"), model + " needs at least");
    }

    @Test
    void aBatchTooLargeForTheHeapSaysToLowerIt(@TempDir Path tmp) {
        // the small preset's activations at a batch of two million dwarf its parameters
        CliRun r = CliRun.of("train", "--data", "synthetic:shapes", "--out", tmp.resolve("run").toString(), "--batch-size", "2000000");
        assertOneLineError(r, "--preset small at --batch-size 2000000 needs at least", "activations", "lower --batch-size");
    }

    @Test
    void sizesReadAsMegabytesGigabytesOrTerabytes() {
        assertThat(MemoryCheck.gigabytes(900L << 20)).isEqualTo("900 MB");
        assertThat(MemoryCheck.gigabytes(5L << 29)).isEqualTo("2.5 GB");
        assertThat(MemoryCheck.gigabytes(3_591_000_000_000L)).isEqualTo("3.3 TB");
    }

    @Test
    void theSuggestedHeapIsEnough() {
        for (long needed : new long[] {1, 900L << 20, (2L << 30) - (1L << 20), 2L << 30, 13_000_000_000L}) {
            String hint = MemoryCheck.howToRaise(needed);
            long xmx = Long.parseLong(hint.replaceAll(".*-Xmx(\\d+)g.*", "$1")) << 30;
            assertThat(xmx - (64L << 20)).as(hint).isGreaterThanOrEqualTo(needed);
        }
    }
}
