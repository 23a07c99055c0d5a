package org.seemore.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.train.Evaluator;

/**
 * The file store's layout, field by field, as MLflow's FileStore reads it (through
 * {@link MlflowFileReader}, written after file_store.py apart from seemore's writer).
 */
class FileStoreLayoutTest {
    private static final Set<String> RUN_META_KEYS = Set.of("artifact_uri", "deleted_time", "end_time", "entry_point_name", "experiment_id",
            "lifecycle_stage", "run_id", "run_name", "run_uuid", "source_name", "source_type", "source_version", "start_time", "status",
            "tags", "user_id");

    @Test
    void aNewStoreHoldsTheDefaultExperimentAndTheRunFieldByField(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("my runs"), runDir = tmp.resolve("run");
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("metrics.jsonl"), "{\"step\":1}\n");
        Files.write(runDir.resolve("loss.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff});
        Files.writeString(runDir.resolve("config.json"), "{}");
        Map<String, String> params = new LinkedHashMap<>(Map.of("model.n_embd", "32", "train.lr", "0.001", "data", "synthetic:shapes"));
        List<String> notices = Tracking.notices();
        long before = System.currentTimeMillis();
        MlflowTracker tracker = Tracking.start("file:" + root, runDir, -1, params, notices);
        for (long s = 1; s <= 3; s++) tracker.onStep(Tracking.step(s, 2, 3));
        tracker.onEvaluation(3, new Evaluator.Result(0.75, 0.5, 0.125, 4, List.of()));
        tracker.log(3, Map.of("odd", Double.NaN, "tiny", 1e-30));
        tracker.finish(RunStatus.FINISHED);
        long after = System.currentTimeMillis();
        assertThat(notices).isEmpty();

        // the default experiment 0 and the trash folder, as MLflow makes them for a new root
        assertThat(root.resolve(".trash")).isDirectory();
        MlflowFileReader.Experiment defaults = MlflowFileReader.experiment(root, "Default");
        assertThat(defaults.id()).isEqualTo("0");
        assertThat(defaults.meta().get("experiment_id")).isInstanceOf(String.class); // quoted: PyYAML would read a plain 0 as an int
        assertThat(defaults.artifactLocation()).isEqualTo("file://" + root.toString().replace(" ", "%20") + "/0");
        assertThat(defaults.lifecycleStage()).isEqualTo("active");
        assertThat(defaults.meta().keySet()).containsExactlyInAnyOrder("artifact_location", "creation_time", "experiment_id", "last_update_time",
                "lifecycle_stage", "name");
        assertThat(defaults.meta().get("creation_time")).isInstanceOf(Long.class);

        MlflowFileReader.Experiment experiment = MlflowFileReader.experiment(root, "seemore");
        assertThat(experiment.id()).matches("[1-9][0-9]{17}");
        assertThat(experiment.artifactLocation()).isEqualTo("file://" + root.toString().replace(" ", "%20") + "/" + experiment.id());

        List<MlflowFileReader.Run> runs = MlflowFileReader.runs(root, experiment.id());
        assertThat(runs).hasSize(1);
        MlflowFileReader.Run run = runs.get(0);
        assertThat(run.meta().keySet()).isEqualTo(RUN_META_KEYS);
        assertThat(run.runId()).isEqualTo(tracker.runId()).matches("[0-9a-f]{32}").isEqualTo(run.meta().get("run_uuid"));
        assertThat(run.meta().get("experiment_id")).isEqualTo(experiment.id());
        assertThat(run.status()).isEqualTo("FINISHED");
        assertThat(run.meta().get("status")).isEqualTo(3L);
        assertThat(run.meta().get("source_type")).isEqualTo(4L); // SourceType.LOCAL
        assertThat(run.meta().get("tags")).isEqualTo(List.of());
        assertThat(run.meta().get("deleted_time")).isNull();
        assertThat(run.lifecycleStage()).isEqualTo("active");
        assertThat(run.userId()).isEqualTo(System.getProperty("user.name"));
        assertThat(run.runName()).isEqualTo("myrun");
        assertThat(run.startTime()).isBetween(before, after);
        assertThat(run.endTime()).isBetween(run.startTime(), after);
        assertThat(run.artifactUri()).isEqualTo(experiment.artifactLocation() + "/" + run.runId() + "/artifacts");

        assertThat(run.params()).isEqualTo(params);
        assertThat(run.tags()).containsEntry("mlflow.runName", "myrun").containsEntry("mlflow.user", System.getProperty("user.name"))
                .containsEntry("mlflow.source.name", "seemore test").containsEntry("mlflow.source.type", "LOCAL")
                .containsEntry("seemore.version", org.seemore.Version.NUMBER).containsKey("seemore.host")
                .containsEntry("seemore.run_dir", runDir.toAbsolutePath().toString());
        // the commit of the checkout the classes come from, when git can tell (a source archive has none)
        Process git = new ProcessBuilder("git", "-C", Path.of(RunMetadata.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().getParent().toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
        String head = new String(git.getInputStream().readAllBytes()).strip();
        if (git.waitFor() == 0) assertThat(run.tags()).containsEntry("mlflow.source.git.commit", head);
        else assertThat(run.tags()).doesNotContainKey("mlflow.source.git.commit");

        assertThat(run.metrics().keySet()).containsExactlyInAnyOrder("loss", "ce", "aux", "lr", "grad_norm", "tokens_per_s",
                "expert_load/layer0/expert0", "expert_load/layer0/expert1", "expert_load/layer0/expert2",
                "expert_load/layer1/expert0", "expert_load/layer1/expert1", "expert_load/layer1/expert2",
                "val_loss", "exact_match", "char_error_rate", "odd", "tiny");
        for (long s = 1; s <= 3; s++) {
            var expected = Tracking.step(s, 2, 3);
            Metric loss = run.metrics().get("loss").get((int) s - 1);
            assertThat(loss.step()).isEqualTo(s);
            assertThat(loss.value()).isEqualTo(expected.loss());
            assertThat(loss.timestamp()).isBetween(before, after);
            assertThat(run.metrics().get("expert_load/layer1/expert2").get((int) s - 1).value()).isEqualTo(expected.expertLoad()[1][2]);
            assertThat(run.metrics().get("tokens_per_s").get((int) s - 1).value()).isEqualTo(expected.tokensPerSecond());
        }
        assertThat(run.metrics().get("val_loss")).singleElement().satisfies(m -> {
            assertThat(m.value()).isEqualTo(0.75);
            assertThat(m.step()).isEqualTo(3);
        });
        assertThat(run.metrics().get("odd").get(0).value()).isNaN();
        assertThat(run.metrics().get("tiny").get(0).value()).isEqualTo(1e-30);

        Path artifacts = root.resolve(experiment.id()).resolve(run.runId()).resolve("artifacts");
        assertThat(artifacts.resolve("loss.png")).hasSameBinaryContentAs(runDir.resolve("loss.png"));
        assertThat(artifacts.resolve("metrics.jsonl")).hasSameTextualContentAs(runDir.resolve("metrics.jsonl"));
        assertThat(artifacts.resolve("model/config.json")).hasSameTextualContentAs(runDir.resolve("config.json"));

        // all acknowledged: the spool is gone, and mlflow.json says the run ended
        assertThat(runDir.resolve(Spool.FILE)).doesNotExist();
        RunFile state = RunFile.read(runDir);
        assertThat(state.ended).isTrue();
        assertThat(state.run.runId()).isEqualTo(run.runId());
    }

    @Test
    void aStopEndsTheRunKilledAndAnErrorFailed(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("mlruns");
        MlflowTracker killed = Tracking.start(root.toString(), tmp.resolve("a"), -1, Map.of(), Tracking.notices()); // a plain path is a file store
        killed.onStep(Tracking.step(1, 1, 2));
        killed.finish(RunStatus.KILLED);
        try (MlflowTracker failed = Tracking.start("file://" + root, tmp.resolve("b"), -1, Map.of(), Tracking.notices())) {
            failed.onStep(Tracking.step(1, 1, 2));
        } // closed without finish: an exception ended training
        String experiment = MlflowFileReader.experiment(root, "seemore").id();
        Map<String, String> statuses = new java.util.HashMap<>();
        for (MlflowFileReader.Run r : MlflowFileReader.runs(root, experiment)) statuses.put(r.runId(), r.status());
        assertThat(statuses).containsEntry(killed.runId(), "KILLED").hasSize(2).containsValue("FAILED");
    }

    @Test
    void aDeletedExperimentStopsTrackingWithOneNoticeAndNothingThrows(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("mlruns");
        Tracking.start("file:" + root, tmp.resolve("a"), -1, Map.of(), Tracking.notices()).finish(RunStatus.FINISHED);
        String id = MlflowFileReader.experiment(root, "seemore").id();
        Files.move(root.resolve(id), root.resolve(".trash").resolve(id)); // as `mlflow experiments delete` does
        List<String> notices = Tracking.notices();
        MlflowTracker tracker = Tracking.start("file:" + root, tmp.resolve("b"), -1, Map.of(), notices);
        for (long s = 1; s <= 3; s++) tracker.onStep(Tracking.step(s, 1, 2));
        tracker.finish(RunStatus.FINISHED);
        assertThat(notices).singleElement().asString().contains("experiment 'seemore' is deleted").contains("tracking stopped");
        assertThat(tmp.resolve("b").resolve(Spool.FILE)).isNotEmptyFile(); // the metrics are kept
    }
}
