package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.model.ModelDirectory;

/**
 * The run directory through the command line: {@code --force} deletes only what seemore wrote,
 * {@code --resume} repairs what an interrupted run left (a partial metrics line, temporary files)
 * and refuses flags that would not continue the run exactly.
 */
class RunDirectoryCliTest {

    private static CliRun train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--out", out.toString(), "--data", "synthetic:shapes",
                "--synthetic-count", "32", "--eval-limit", "2", "--threads", "1"));
        args.addAll(Arrays.asList(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** A two-step tiny run in {@code out}. */
    private static void twoSteps(Path out) {
        CliRun r = train(out, "--preset", "tiny", "--batch-size", "4", "--steps", "2", "--lr", "1e-3");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    private static void assertOneLineError(CliRun r, String... fragments) {
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) assertThat(r.err()).contains(f);
    }

    /** Every file under {@code dir} with its bytes, to show that nothing changed. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Arrays.toString(Files.readAllBytes(p)));
            }
        }
        return files;
    }

    @Test
    void forceRefusesARunDirectoryThatHoldsAUsersFile(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        twoSteps(out);
        Files.writeString(out.resolve("thesis.txt"), "three years of work");
        Map<String, String> before = snapshot(out);
        assertOneLineError(train(out, "--preset", "tiny", "--steps", "1", "--force"), "thesis.txt", "--force");
        assertThat(snapshot(out)).isEqualTo(before);
    }

    @Test
    void forceRefusesAGitClone(@TempDir Path tmp) throws Exception {
        Path clone = Files.createDirectories(tmp.resolve("clone"));
        Files.createDirectories(clone.resolve(".git"));
        Files.writeString(clone.resolve(".git").resolve("HEAD"), "ref: refs/heads/main\n");
        Files.writeString(clone.resolve("README.md"), "# project\n");
        Files.writeString(clone.resolve("pom.xml"), "<project/>\n");
        Files.writeString(clone.resolve("seemore"), "#!/usr/bin/env bash\n");
        Map<String, String> before = snapshot(clone);
        CliRun r = train(clone, "--preset", "tiny", "--steps", "1", "--force");
        assertOneLineError(r, "--out", ".git");
        assertThat(snapshot(clone)).isEqualTo(before);
    }

    @Test
    void forceRefusesWhenTheDataLivesInTheRunDirectory(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        assertThat(Main.execute("synth", "--out", out.toString(), "--count", "12", "--seed", "3")).isZero();
        Map<String, String> before = snapshot(out);
        CliRun r = CliRun.of("train", "--data", out.resolve("train.jsonl").toString(), "--out", out.toString(), "--preset", "tiny",
                "--steps", "1", "--batch-size", "2", "--threads", "1", "--force");
        assertOneLineError(r, "--out", "train.jsonl");
        assertThat(snapshot(out)).isEqualTo(before);
    }

    @Test
    void forceRefusesToInitializeARunFromTheDirectoryItWouldEmpty(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        twoSteps(out);
        Map<String, String> before = snapshot(out);
        assertOneLineError(train(out, "--preset", "tiny", "--steps", "1", "--force", "--init-from", out.toString()), "--init-from");
        assertThat(snapshot(out)).isEqualTo(before);
    }

    @Test
    void forceReplacesARunDirectory(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        twoSteps(out);
        Files.writeString(out.resolve(".model.safetensors.5eed.tmp"), "partial");
        CliRun r = train(out, "--preset", "tiny", "--batch-size", "4", "--steps", "1", "--force");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(ModelDirectory.load(out).step()).isEqualTo(1);
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .doesNotContain(".model.safetensors.5eed.tmp", "training-state-2.safetensors").contains("training-state-1.safetensors");
        }
    }

    @Test
    void withoutForceAnExistingDirectoryIsRefusedWithAdviceThatFits(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        twoSteps(run);
        assertOneLineError(train(run, "--preset", "tiny", "--steps", "1"), "--resume", "--force");
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "mine");
        assertOneLineError(train(mine, "--preset", "tiny", "--steps", "1"), "notes.txt");
        assertThat(Files.readString(mine.resolve("notes.txt"))).isEqualTo("mine");
    }

    @Test
    void demoAdvisesWhatDemoCanDo(@TempDir Path tmp) throws Exception {
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "mine");
        CliRun r = CliRun.of("demo", "--out", mine.toString(), "--steps", "1", "--threads", "1");
        assertOneLineError(r, "--out");
        assertThat(r.err()).doesNotContain("--resume").doesNotContain("--force");
        assertThat(Files.readString(mine.resolve("notes.txt"))).isEqualTo("mine");
    }

    @Test
    void resumeDropsAPartialLastMetricsLine(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        twoSteps(out);
        Path metrics = out.resolve("metrics.jsonl");
        Files.writeString(metrics, Files.readString(metrics) + "{\"step\":3,\"loss\":2.71", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        CliRun r = train(out, "--steps", "3", "--resume");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("metrics.jsonl").contains("partial");
        ObjectMapper json = new ObjectMapper();
        List<Long> steps = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) steps.add(json.readTree(line).get("step").asLong());
        assertThat(steps).startsWith(1L, 2L).endsWith(3L);
    }

    @Test
    void resumeRemovesTheTemporaryFilesOfAnInterruptedCheckpoint(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        twoSteps(out);
        List<String> leftovers = List.of(".model.safetensors.1f2e3d.tmp", ".training-state-2.safetensors.77.tmp", "config.json.tmp",
                "tokenizer.json.tmp", ".loss.png.1234567890.tmp", ".metrics.jsonl.ab12.tmp");
        for (String name : leftovers) Files.writeString(out.resolve(name), "partial");
        Files.writeString(out.resolve("notes.tmp"), "mine");
        CliRun r = train(out, "--steps", "3", "--resume");
        assertThat(r.exitCode()).as(r.err()).isZero();
        for (String name : leftovers) assertThat(out.resolve(name)).as(name).doesNotExist();
        assertThat(Files.readString(out.resolve("notes.tmp"))).isEqualTo("mine");
    }

    @Test
    void resumeRefusesFlagsThatWouldNotContinueTheRunExactly(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        twoSteps(out);
        Map<String, String> before = snapshot(out);
        assertOneLineError(train(out, "--steps", "4", "--resume", "--batch-size", "8"), "--batch-size", "8", "4");
        assertOneLineError(train(out, "--steps", "4", "--resume", "--lr", "0.002"), "--lr", "0.002", "0.001");
        assertOneLineError(train(out, "--steps", "4", "--resume", "--preset", "small"), "--preset", "small", "tiny");
        assertOneLineError(CliRun.of("train", "--out", out.toString(), "--data", "synthetic:shapes", "--synthetic-count", "40",
                "--steps", "4", "--resume", "--threads", "1"), "--data", "32", "40");
        assertThat(snapshot(out)).isEqualTo(before);
    }

    @Test
    void resumeAcceptsMoreStepsWithANoticeAndKeepsTheRunsOtherSettings(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        twoSteps(out);
        // the run's own values, repeated, are accepted
        CliRun same = train(out, "--steps", "3", "--resume", "--preset", "tiny", "--batch-size", "4", "--lr", "0.001", "--seed", "1337");
        assertThat(same.exitCode()).as(same.err()).isZero();
        assertThat(same.err()).contains("--steps 3: the run was set for 2 steps");
        // and need not be repeated: neither --preset tiny nor --batch-size 4 is given here
        CliRun r = train(out, "--steps", "4", "--resume", "--eval-every", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("--steps 4: the run was set for 3 steps").contains("--eval-every 1: the run had 250");
        assertThat(ModelDirectory.load(out).step()).isEqualTo(4);
    }

    @Test
    void resumingAFinishedRunSaysSo(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        twoSteps(out);
        CliRun r = train(out, "--resume");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out() + r.err()).contains("already finished at 2 steps").contains("--steps").doesNotContain("NaN");
    }
}
