package org.seemore.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.train.Evaluator;

/** The REST calls against an in-process server that checks them against MLflow's documented API. */
class RestTrackingTest {

    /** Every metric's (key, step) once, and all of them. */
    private static void assertComplete(FakeMlflowServer server, long steps, int layers, int experts) {
        Set<String> seen = new HashSet<>();
        for (Metric m : server.allMetrics()) assertThat(seen.add(m.key() + "@" + m.step())).as("sent twice: %s", m).isTrue();
        assertThat(seen).hasSize((int) (steps * (6 + layers * experts)));
    }

    @Test
    void aRunGoesThroughTheDocumentedCallsWithinTheBatchLimits(@TempDir Path tmp) throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            Path runDir = tmp.resolve("run");
            Files.createDirectories(runDir);
            byte[] weights = new byte[3000];
            for (int i = 0; i < weights.length; i++) weights[i] = (byte) (i * 31);
            Files.write(runDir.resolve("model.safetensors"), weights);
            Files.writeString(runDir.resolve("metrics.jsonl"), "{\"step\":1}\n");
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < 130; i++) params.put("p" + i, "v" + i); // more than one call's 100
            params.put("long", "x".repeat(400)); // longer than MLflow's documented 250
            List<String> notices = Tracking.notices();
            MlflowTracker tracker = Tracking.start(server.uri(), runDir, -1, params, notices);
            for (long s = 1; s <= 3; s++) tracker.onStep(Tracking.step(s, 30, 40)); // 1206 metrics a step: more than one call's 1000
            tracker.onEvaluation(3, new Evaluator.Result(0.5, 0.25, 0.125, 8, List.of()));
            tracker.finish(RunStatus.FINISHED);

            assertThat(server.violations).isEmpty();
            assertThat(notices).isEmpty();
            List<String> calls = server.requests.stream().map(r -> r.method() + " " + r.path()).distinct().toList();
            assertThat(calls).startsWith("GET /api/2.0/mlflow/experiments/get-by-name", "POST /api/2.0/mlflow/experiments/create",
                    "POST /api/2.0/mlflow/runs/create", "POST /api/2.0/mlflow/runs/log-batch");
            assertThat(calls).last().isEqualTo("POST /api/2.0/mlflow/runs/update");
            assertThat(server.batchSizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1000));
            assertThat(server.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3 * 1206 + 3);

            FakeMlflowServer.Run run = server.runs.get(tracker.runId());
            assertThat(run.status()[0]).isEqualTo("FINISHED");
            assertThat(run.endTime()[0]).isNotNull();
            assertThat(run.name()).isEqualTo("myrun");
            assertThat(run.tags()).containsEntry("mlflow.runName", "myrun").containsEntry("mlflow.source.type", "LOCAL");
            assertThat(run.params()).hasSize(131).containsEntry("p129", "v129");
            assertThat(run.params().get("long")).hasSize(250).endsWith("...");
            Set<String> seen = new HashSet<>();
            for (Metric m : run.metrics()) assertThat(seen.add(m.key() + "@" + m.step())).isTrue();
            assertThat(seen).hasSize(3 * 1206 + 3);

            String prefix = run.experimentId() + "/" + run.runId() + "/artifacts/";
            assertThat(server.artifacts.get(prefix + "model/model.safetensors")).isEqualTo(weights);
            assertThat(new String(server.artifacts.get(prefix + "metrics.jsonl"), StandardCharsets.UTF_8)).isEqualTo("{\"step\":1}\n");
            assertThat(server.requests.stream().filter(r -> r.method().equals("PUT")).map(FakeMlflowServer.Request::path))
                    .contains("/api/2.0/mlflow-artifacts/artifacts/" + prefix + "model/model.safetensors");
        }
    }

    @Test
    void credentialsComeFromTheEnvironmentAsMlflowsClientSendsThem(@TempDir Path tmp) throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            server.expectedAuthorization = "Bearer s3cret";
            MlflowTracker t = Tracking.start(server.uri(), tmp.resolve("a"), -1, Map.of(), Tracking.notices(), Map.of("MLFLOW_TRACKING_TOKEN", "s3cret"));
            t.onStep(Tracking.step(1, 1, 2));
            t.finish(RunStatus.FINISHED);
            assertThat(server.violations).isEmpty();
            assertThat(server.runs.get(t.runId()).status()[0]).isEqualTo("FINISHED");

            // a user name and password go as Basic, and win over a token (as in MLflow's rest_utils)
            server.expectedAuthorization = "Basic " + Base64.getEncoder().encodeToString("ann:pw:1".getBytes(StandardCharsets.UTF_8));
            t = Tracking.start(server.uri(), tmp.resolve("b"), -1, Map.of(), Tracking.notices(),
                    Map.of("MLFLOW_TRACKING_USERNAME", "ann", "MLFLOW_TRACKING_PASSWORD", "pw:1", "MLFLOW_TRACKING_TOKEN", "other"));
            t.onStep(Tracking.step(1, 1, 2));
            t.finish(RunStatus.FINISHED);
            assertThat(server.runs.get(t.runId()).status()[0]).isEqualTo("FINISHED");

            // refused credentials stop tracking with one notice; the training side never sees an exception
            List<String> notices = Tracking.notices();
            t = Tracking.start(server.uri(), tmp.resolve("c"), -1, Map.of(), notices, Map.of("MLFLOW_TRACKING_TOKEN", "wrong"));
            for (long s = 1; s <= 5; s++) t.onStep(Tracking.step(s, 1, 2));
            t.finish(RunStatus.FINISHED);
            assertThat(notices).singleElement().asString().contains("HTTP 401").contains("tracking stopped").contains(Spool.FILE);
            assertThat(tmp.resolve("c").resolve(Spool.FILE)).isNotEmptyFile();
        }
    }

    @Test
    void anOutageMidRunLosesNothingAndSendsNothingTwice(@TempDir Path tmp) throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            server.failWhen = n -> n >= 5 && n < 15; // down for ten requests, once the run is under way
            List<String> notices = Tracking.notices();
            MlflowTracker t = Tracking.start(server.uri(), tmp.resolve("run"), -1, Map.of("a", "1"), notices);
            for (long s = 1; s <= 40; s++) {
                t.onStep(Tracking.step(s, 2, 4));
                Thread.sleep(2);
            }
            t.finish(RunStatus.FINISHED);
            assertThat(server.violations).isEmpty();
            assertComplete(server, 40, 2, 4);
            assertThat(server.runs.get(t.runId()).status()[0]).isEqualTo("FINISHED");
            // one warning for the outage, one line when it is over (and one if the run ended during it)
            assertThat(notices.get(0)).contains("cannot reach " + server.uri()).contains("HTTP 503").contains("training goes on");
            assertThat(notices.getLast()).contains("reachable again");
            assertThat(notices.subList(1, notices.size() - 1)).allSatisfy(n -> assertThat(n).contains("waiting up to"));
            assertThat(notices.size()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void aServerDownFromTheStartGetsTheRunWhenItIsBack(@TempDir Path tmp) throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            server.failWhen = n -> n < 8;
            List<String> notices = Tracking.notices();
            MlflowTracker t = Tracking.start(server.uri(), tmp.resolve("run"), -1, Map.of(), notices);
            for (long s = 1; s <= 10; s++) t.onStep(Tracking.step(s, 1, 2));
            t.finish(RunStatus.FINISHED);
            assertThat(server.runs).hasSize(1);
            assertComplete(server, 10, 1, 2);
            assertThat(notices.get(0)).contains("cannot reach");
            assertThat(notices.getLast()).contains("reachable again");
        }
    }

    @Test
    void aSlowServerNeverHoldsUpTraining(@TempDir Path tmp) throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            CountDownLatch gate = new CountDownLatch(1);
            server.gate = gate; // no request is answered until the steps are recorded
            MlflowTracker t = Tracking.start(server.uri(), tmp.resolve("run"), -1, Map.of(), Tracking.notices());
            for (long s = 1; s <= 20; s++) t.onStep(Tracking.step(s, 1, 2)); // returns although the server has answered nothing
            assertThat(server.runs).isEmpty();
            gate.countDown();
            t.finish(RunStatus.FINISHED);
            assertComplete(server, 20, 1, 2);
        }
    }

    @Test
    void whatTheServerDidNotTakeAtTheEndIsSentLater(@TempDir Path tmp) throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            Path runDir = tmp.resolve("run");
            List<String> notices = Tracking.notices();
            MlflowTracker t = MlflowTracker.start(new MlflowTracker.Options(server.uri(), "--mlflow", "seemore", false, null), prepare(runDir), -1,
                    Map.of(), "seemore test", notices::add, Map.<String, String>of()::get,
                    new Sender.Timing(Tracking.QUICK.firstRetry(), Tracking.QUICK.maxRetry(), java.time.Duration.ofMillis(300), Tracking.QUICK.poll()));
            t.onStep(Tracking.step(1, 1, 2));
            Thread.sleep(200); // the first step reaches the server
            server.failWhen = n -> true;
            for (long s = 2; s <= 6; s++) t.onStep(Tracking.step(s, 1, 2));
            t.finish(RunStatus.FINISHED);
            assertThat(notices.getLast()).contains("has not taken the whole run").contains(Spool.FILE).contains("--resume");
            assertThat(MlflowTracker.hasUnsent(runDir)).isTrue();

            server.failWhen = n -> false;
            MlflowTracker again = Tracking.resume(runDir, 6, Tracking.notices()); // a resume of the finished run
            again.finish(RunStatus.FINISHED);
            assertThat(MlflowTracker.hasUnsent(runDir)).isFalse();
            assertThat(server.runs).hasSize(1);
            assertComplete(server, 6, 1, 2);
            assertThat(server.runs.get(again.runId()).status()[0]).isEqualTo("FINISHED");
        }
    }

    private static Path prepare(Path dir) throws java.io.IOException {
        return Files.createDirectories(dir);
    }
}
