package org.seemore.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.cli.Main;

/** {@code seemore train --mlflow ...} end to end: a file store and a server, resume, --force, an outage, bad flags. */
class TrackCliTest {

    private record Result(int exitCode, String err) {}

    private static Result train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--out", out.toString(), "--data", "synthetic:shapes", "--synthetic-count", "32",
                "--preset", "tiny", "--batch-size", "4", "--eval-limit", "2", "--threads", "1"));
        args.addAll(Arrays.asList(extra));
        PrintStream originalOut = System.out, originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args.toArray(String[]::new));
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    @Test
    void aFileStoreRunResumesIntoTheSameMlflowRunAndForceStartsANewOne(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("mlruns"), out = tmp.resolve("run");
        Result first = train(out, "--steps", "2", "--mlflow", "file:" + root, "--mlflow-run-name", "first");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(out.resolve(RunFile.FILE)).isRegularFile();
        String experiment = MlflowFileReader.experiment(root, "seemore").id();
        MlflowFileReader.Run run = MlflowFileReader.runs(root, experiment).getFirst();
        assertThat(run.status()).isEqualTo("FINISHED");
        assertThat(run.runName()).isEqualTo("first");
        assertThat(run.metrics().get("loss")).extracting(Metric::step).containsExactly(1L, 2L);
        assertThat(run.metrics().get("val_loss")).extracting(Metric::step).containsExactly(2L);
        assertThat(run.metrics().get("expert_load/layer1/expert3")).hasSize(2);
        assertThat(run.params()).containsEntry("model.n_embd", "32").containsEntry("train.steps", "2").containsEntry("data", "synthetic:shapes")
                .containsEntry("train.stage", "full").containsKey("data.fingerprint");
        Path artifacts = root.resolve(experiment).resolve(run.runId()).resolve("artifacts");
        for (String a : List.of("metrics.jsonl", "loss.png", "experts.png", "model/config.json", "model/tokenizer.json", "model/model.safetensors")) {
            assertThat(artifacts.resolve(a)).isNotEmptyFile();
        }

        Result resumed = train(out, "--steps", "3", "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        List<MlflowFileReader.Run> runs = MlflowFileReader.runs(root, experiment);
        assertThat(runs).singleElement().satisfies(r -> {
            assertThat(r.runId()).isEqualTo(run.runId());
            assertThat(r.status()).isEqualTo("FINISHED");
            assertThat(r.metrics().get("loss")).extracting(Metric::step).containsExactly(1L, 2L, 3L);
            assertThat(r.tags()).containsEntry("seemore.changed.train.steps", "3");
        });
        assertThat(artifacts.resolve("metrics.jsonl")).hasSameTextualContentAs(out.resolve("metrics.jsonl"));

        // --force accepts the tracking files as seemore's own and starts a new MLflow run
        Result forced = train(out, "--steps", "1", "--force", "--mlflow", "file:" + root);
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(MlflowFileReader.runs(root, experiment)).hasSize(2);
    }

    @Test
    void aServerOutageMidRunLosesNoMetric(@TempDir Path tmp) throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            // requests 0-3 find and create the experiment and the run and log the params; then two log-batch calls fail
            server.failWhen = n -> n == 4 || n == 5;
            Result r = train(tmp.resolve("run"), "--steps", "4", "--mlflow", server.uri(), "--mlflow-experiment", "tiny runs");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(server.violations).isEmpty();
            assertThat(server.experiments).containsKey("tiny runs");
            FakeMlflowServer.Run run = server.runs.values().iterator().next();
            assertThat(run.status()[0]).isEqualTo("FINISHED");
            Set<String> seen = new HashSet<>();
            for (Metric m : run.metrics()) assertThat(seen.add(m.key() + "@" + m.step())).as("sent twice: %s", m).isTrue();
            assertThat(seen).hasSize(4 * (6 + 2 * 4) + 3); // tiny: 2 layers of 4 experts; one evaluation at the end
            assertThat(r.err()).contains("seemore: mlflow: cannot reach " + server.uri()).contains("reachable again");
            assertThat(server.artifacts.keySet()).anySatisfy(k -> assertThat(k).endsWith("/artifacts/model/model.safetensors"));
        }
    }

    @Test
    void badTrackingFlagsAreOneLineErrorsBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Result r = train(out, "--steps", "1", "--mlflow", "sqlite:///mlflow.db");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err().strip()).startsWith("seemore: --mlflow sqlite:///mlflow.db: ").doesNotContain("\n").doesNotContain("Exception");
        assertThat(out).doesNotExist();

        assertThat(train(out, "--steps", "1", "--mlflow", "file:" + tmp.resolve("a")).exitCode()).isZero();
        Result other = train(out, "--steps", "2", "--resume", "--mlflow", "file:" + tmp.resolve("b"));
        assertThat(other.exitCode()).isNotZero();
        assertThat(other.err().strip()).contains("is tracked at file:" + tmp.resolve("a")).doesNotContain("\n");
        assertThat(Files.exists(tmp.resolve("b"))).isFalse();
    }
}
