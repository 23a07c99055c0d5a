package org.seemore.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

/**
 * A resumed run continues its MLflow run: the same run id, the steps after the checkpoint that the
 * store already has are not sent again, the ones it never took are, and a param the resume changed
 * becomes a tag (MLflow refuses to change a param).
 */
class ResumeTrackingTest {

    @Test
    void aResumedRunContinuesTheSameMlflowRunWithoutDuplicates(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("mlruns"), runDir = tmp.resolve("run");
        MlflowTracker first = Tracking.start("file:" + root, runDir, -1, Map.of("train.steps", "4", "data", "d"), Tracking.notices());
        for (long s = 1; s <= 4; s++) first.onStep(Tracking.step(s, 1, 2));
        first.finish(RunStatus.KILLED); // Ctrl-C after step 4; its last checkpoint was step 2

        List<String> notices = Tracking.notices();
        MlflowTracker resumed = MlflowTracker.start(new MlflowTracker.Options(null, null, "seemore", false, null), runDir, 2,
                Map.of("train.steps", "6", "data", "d"), "seemore test", notices::add, Map.<String, String>of()::get, Tracking.QUICK);
        for (long s = 3; s <= 6; s++) resumed.onStep(Tracking.step(s, 1, 2)); // steps 3 and 4 again, as a resumed run trains them
        resumed.finish(RunStatus.FINISHED);
        assertThat(notices).isEmpty();

        assertThat(resumed.runId()).isEqualTo(first.runId());
        String experiment = MlflowFileReader.experiment(root, "seemore").id();
        List<MlflowFileReader.Run> runs = MlflowFileReader.runs(root, experiment);
        assertThat(runs).hasSize(1);
        MlflowFileReader.Run run = runs.get(0);
        assertThat(run.status()).isEqualTo("FINISHED");
        for (String key : List.of("loss", "lr", "expert_load/layer0/expert1")) {
            assertThat(run.metrics().get(key)).extracting(Metric::step).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        }
        assertThat(run.params()).containsEntry("train.steps", "4").containsEntry("data", "d");
        assertThat(run.tags()).containsEntry("seemore.changed.train.steps", "6");
    }

    @Test
    void metricsTheStoreNeverTookBeforeTheCheckpointAreSentOnResume(@TempDir Path tmp) throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            Path runDir = Files.createDirectories(tmp.resolve("run"));
            MlflowTracker first = MlflowTracker.start(new MlflowTracker.Options(server.uri(), "--mlflow", "seemore", false, null), runDir, -1,
                    Map.of(), "seemore test", s -> {}, Map.<String, String>of()::get,
                    new Sender.Timing(Tracking.QUICK.firstRetry(), Tracking.QUICK.maxRetry(), java.time.Duration.ofMillis(200), Tracking.QUICK.poll()));
            first.onStep(Tracking.step(1, 1, 2));
            Thread.sleep(300);
            server.failWhen = n -> true; // down: steps 2..5 wait in the spool, and the process ends (its checkpoint: step 3)
            for (long s = 2; s <= 5; s++) first.onStep(Tracking.step(s, 1, 2));
            first.finish(RunStatus.KILLED);

            server.failWhen = n -> false;
            MlflowTracker resumed = Tracking.resume(runDir, 3, Tracking.notices());
            for (long s = 4; s <= 6; s++) resumed.onStep(Tracking.step(s, 1, 2));
            resumed.finish(RunStatus.FINISHED);
            assertThat(server.violations).isEmpty();
            assertThat(server.runs).hasSize(1);
            FakeMlflowServer.Run run = server.runs.get(resumed.runId());
            assertThat(run.metrics().stream().filter(m -> m.key().equals("loss")).map(Metric::step)).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(run.metrics()).hasSize(6 * 8);
            assertThat(run.status()[0]).isEqualTo("FINISHED");
        }
    }

    @Test
    void aResumeRefusesAnotherStoreExperimentOrName(@TempDir Path tmp) throws Exception {
        Path runDir = tmp.resolve("run");
        Tracking.start("file:" + tmp.resolve("mlruns"), runDir, -1, Map.of(), Tracking.notices()).finish(RunStatus.KILLED);
        assertThatThrownBy(() -> MlflowTracker.start(new MlflowTracker.Options("file:" + tmp.resolve("other"), "--mlflow", "seemore", false, null),
                runDir, 1, Map.of(), "t", s -> {})).isInstanceOf(UserException.class).hasMessageContaining("is tracked at file:" + tmp.resolve("mlruns"));
        assertThatThrownBy(() -> MlflowTracker.start(new MlflowTracker.Options(null, null, "other", true, null), runDir, 1, Map.of(), "t", s -> {}))
                .isInstanceOf(UserException.class).hasMessageContaining("--mlflow-experiment other");
        assertThatThrownBy(() -> MlflowTracker.start(new MlflowTracker.Options(null, null, "seemore", false, "renamed"), runDir, 1, Map.of(), "t", s -> {}))
                .isInstanceOf(UserException.class).hasMessageContaining("--mlflow-run-name renamed");
        // the same store named another way is the same store; MLFLOW_TRACKING_URI does not override the run's own
        MlflowTracker.start(new MlflowTracker.Options(tmp.resolve("mlruns").toString(), "--mlflow", "seemore", false, null), runDir, 1, Map.of(), "t",
                s -> {}).finish(RunStatus.FINISHED);
        MlflowTracker.start(new MlflowTracker.Options("http://elsewhere:5000", "MLFLOW_TRACKING_URI", "seemore", false, null), runDir, 1, Map.of(),
                "t", s -> {}).finish(RunStatus.FINISHED);
    }
}
