package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.model.ModelDirectory;
import org.seemore.train.TrainingState;

/** SIGTERM to a training run in its own JVM: the step ends, a checkpoint is saved, one line says so, exit 143. */
class StopSignalTest {

    @Test
    void sigtermSavesACheckpointAndExits143(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run"), mlruns = tmp.resolve("mlruns");
        Path stdout = tmp.resolve("stdout.txt"), stderr = tmp.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // C1 only: a run of a few tiny steps spends most of its CPU time in the optimizing compiler otherwise
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1", "-cp", classPath, Main.class.getName(),
                "train", "--data", "synthetic:shapes", "--synthetic-count", "32", "--out", out.toString(), "--preset", "tiny",
                "--steps", "1000000", "--batch-size", "2", "--checkpoint-every", "0", "--eval-every", "0", "--threads", "1",
                "--mlflow", "file:" + mlruns)
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            Path metrics = out.resolve("metrics.jsonl");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(Files.isRegularFile(metrics) && Files.size(metrics) > 0)) {
                assertThat(child.isAlive()).as("the child stopped early: %s", Files.exists(stderr) ? Files.readString(stderr) : "").isTrue();
                assertThat(System.nanoTime()).as("no training step within 120 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child exits after SIGTERM").isTrue();
        } finally {
            child.destroyForcibly();
        }
        String err = Files.readString(stderr);
        assertThat(child.exitValue()).as(err).isEqualTo(143);
        List<String> messages = err.lines().filter(l -> l.contains("SIGTERM")).toList();
        assertThat(messages).as(err).hasSize(1);
        assertThat(messages.get(0)).contains("checkpoint").contains(out.toString()).contains("--resume");
        long step = ModelDirectory.load(out).step();
        assertThat(step).isPositive();
        assertThat(TrainingState.file(out, step)).isRegularFile();
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl")).getLast()).contains("\"step\":" + step + ",");
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
        }

        assertThat(runStatus(mlruns)).as("the MLflow run ended KILLED").isEqualTo("5");

        // the run continues from there, in the same MLflow run
        CliRun resumed = CliRun.of("train", "--data", "synthetic:shapes", "--synthetic-count", "32", "--out", out.toString(),
                "--steps", Long.toString(step + 1), "--threads", "1", "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(ModelDirectory.load(out).step()).isEqualTo(step + 1);
        assertThat(runStatus(mlruns)).as("the same MLflow run, FINISHED").isEqualTo("3");
    }

    /** The status code in the meta.yaml of the one run in the file store at {@code root}. */
    private static String runStatus(Path root) throws java.io.IOException {
        try (var files = Files.find(root, 3, (p, a) -> p.getFileName().toString().equals("meta.yaml") && root.relativize(p).getNameCount() == 3)) {
            List<Path> runs = files.toList();
            assertThat(runs).hasSize(1);
            return Files.readAllLines(runs.get(0)).stream().filter(l -> l.startsWith("status: ")).findFirst().orElseThrow().substring(8);
        }
    }
}
