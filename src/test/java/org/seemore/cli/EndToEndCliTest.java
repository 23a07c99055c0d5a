package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.model.ModelDirectory;

/** synth → train (on the JSONL it wrote) → caption → eval → resume, through the command line. */
class EndToEndCliTest {

    @Test
    void theCommandsWorkTogether(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data"), run = tmp.resolve("run");
        assertThat(Main.execute("synth", "--out", data.toString(), "--count", "40", "--seed", "3")).isZero();
        assertThat(Main.execute("train", "--data", data.resolve("train.jsonl").toString(), "--val", data.resolve("val.jsonl").toString(),
                "--out", run.toString(), "--preset", "tiny", "--steps", "4", "--batch-size", "4", "--eval-limit", "4",
                "--checkpoint-every", "2", "--threads", "1")).isZero();
        assertThat(ModelDirectory.isModelDirectory(run)).isTrue();
        assertThat(run.resolve("metrics.jsonl")).isNotEmptyFile();
        assertThat(run.resolve("loss.png")).isNotEmptyFile();
        assertThat(run.resolve("experts.png")).isNotEmptyFile();

        Path image = data.resolve("test").resolve("000000.png");
        assertThat(Main.execute("caption", "--model", run.toString(), "--max-tokens", "20", image.toString())).isZero();

        Path report = tmp.resolve("eval.json");
        assertThat(Main.execute("eval", "--model", run.toString(), "--data", data.resolve("test.jsonl").toString(),
                "--limit", "3", "--json", report.toString())).isZero();
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertThat(json.get("n").asInt()).isEqualTo(3);
        assertThat(json.get("exact_match").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("char_error_rate").asDouble()).isGreaterThanOrEqualTo(0.0);
        assertThat(json.get("loss").asDouble()).isPositive();

        // a longer run continues from the step-4 checkpoint
        assertThat(Main.execute("train", "--data", data.resolve("train.jsonl").toString(), "--val", data.resolve("val.jsonl").toString(),
                "--out", run.toString(), "--preset", "tiny", "--steps", "6", "--batch-size", "4", "--eval-limit", "4",
                "--checkpoint-every", "2", "--threads", "1", "--resume")).isZero();
        assertThat(ModelDirectory.load(run).step()).isEqualTo(6);
    }

    @Test
    void stagedTrainingLoadsEarlierComponents(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        assertThat(Main.execute("synth", "--out", data.toString(), "--count", "20", "--seed", "4")).isZero();
        Path text = tmp.resolve("captions.txt");
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(data.resolve("train.jsonl"))) {
            sb.append(new ObjectMapper().readTree(line).get("caption").asText()).append('\n');
        }
        Files.writeString(text, sb.toString());
        Path lm = tmp.resolve("lm"), proj = tmp.resolve("proj");
        assertThat(Main.execute("train", "--data", text.toString(), "--out", lm.toString(), "--preset", "tiny", "--stage", "lm",
                "--steps", "2", "--batch-size", "2", "--eval-limit", "2", "--threads", "1")).isZero();
        assertThat(Main.execute("train", "--data", data.resolve("train.jsonl").toString(), "--out", proj.toString(), "--preset", "tiny",
                "--stage", "projector", "--init-from", lm.toString(), "--steps", "2", "--batch-size", "2", "--eval-limit", "2", "--threads", "1")).isZero();
        var lmModel = ModelDirectory.load(lm).model();
        var projModel = ModelDirectory.load(proj).model();
        String name = "decoder.blocks.0.attn.qkv.weight";
        assertThat(projModel.parameters().get(name).toArray()).containsExactly(lmModel.parameters().get(name).toArray());
        assertThat(projModel.parameters().get("projector.fc1.weight").toArray()).isNotEqualTo(lmModel.parameters().get("projector.fc1.weight").toArray());
    }
}
