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
}
