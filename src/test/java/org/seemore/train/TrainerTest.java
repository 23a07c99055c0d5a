package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.synth.ShapesConfig;
import org.seemore.data.synth.ShapesDataset;
import org.seemore.data.synth.Split;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.tensor.Tensor;

class TrainerTest {
    private final List<Example> data = ShapesDataset.generate(new ShapesConfig(32, 3), Split.TRAIN, 24);
    private final CharTokenizer tokenizer = CharTokenizer.forExamples(data);
    private final ImageTransform transform = ImageTransform.imagenet(32);

    private Vlm tinyModel() {
        return new Vlm(Presets.get("tiny", tokenizer.vocabSize()).withDropout(0.1), 21);
    }

    private TrainSettings settings(int steps, int checkpointEvery) {
        return TrainSettings.builder().steps(steps).batchSize(4).gradAccumulation(2).lr(3e-3).minLrRatio(0.1).warmupSteps(2)
                .weightDecay(0.1).clipNorm(1.0).evalEvery(0).evalLimit(4).checkpointEvery(checkpointEvery).seed(5).stage(Stage.FULL).build();
    }

    @Test
    void aResumedRunMatchesAnUninterruptedOneStepForStep(@TempDir Path tmp) {
        Path straight = tmp.resolve("straight"), resumed = tmp.resolve("resumed");
        Vlm a = tinyModel();
        new Trainer(mkdir(straight), a, tokenizer, settings(6, 3), data, data.subList(0, 4), transform, new Trainer.Listener() {}).run(false, 0);

        Vlm b = tinyModel();
        Trainer.Summary first = new Trainer(mkdir(resumed), b, tokenizer, settings(6, 3), data, data.subList(0, 4), transform, new Trainer.Listener() {}).run(false, 4);
        assertThat(first.steps()).isEqualTo(4); // interrupted after step 4; the checkpoint is from step 3
        ModelDirectory.Loaded reloaded = ModelDirectory.load(resumed);
        assertThat(reloaded.step()).isEqualTo(3);
        new Trainer(resumed, reloaded.model(), reloaded.tokenizer(), settings(6, 3), data, data.subList(0, 4), transform, new Trainer.Listener() {}).run(true, 0);

        Map<String, Tensor> expected = a.parameters(), actual = reloaded.model().parameters();
        for (String name : expected.keySet()) {
            assertThat(actual.get(name).toArray()).as(name).containsExactly(expected.get(name).toArray());
        }
        // the same metrics, step for step (tokens_per_s aside, which is a timing)
        assertThat(lines(straight.resolve("metrics.jsonl"))).isEqualTo(lines(resumed.resolve("metrics.jsonl")));
        assertThat(straight.resolve("loss.png")).exists();
        assertThat(straight.resolve("experts.png")).exists();
    }

    @Test
    void checkpointsAreCompleteModelDirectoriesWithOneTrainingState(@TempDir Path tmp) throws Exception {
        Vlm model = tinyModel();
        new Trainer(tmp, model, tokenizer, settings(4, 2), data, List.of(), transform, new Trainer.Listener() {}).run(false, 0);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("training-state-")).toList())
                    .containsExactly("training-state-4.safetensors");
        }
        ModelDirectory.Loaded loaded = ModelDirectory.load(tmp);
        for (var e : model.parameters().entrySet()) {
            assertThat(loaded.model().parameters().get(e.getKey()).toArray()).containsExactly(e.getValue().toArray());
        }
        assertThat(loaded.step()).isEqualTo(4);
    }

    @Test
    void aNonFiniteLossStopsTheRunAndKeepsTheLastCheckpoint(@TempDir Path tmp) {
        Vlm model = tinyModel();
        Trainer.Listener poison = new Trainer.Listener() {
            @Override
            public void onCheckpoint(long step) {
                model.parameters().get("decoder.lm_head.bias").data()[0] = Float.NaN; // after the step-2 checkpoint
            }
        };
        assertThatThrownBy(() -> new Trainer(tmp, model, tokenizer, settings(4, 2), data, List.of(), transform, poison).run(false, 0))
                .isInstanceOf(UserException.class).hasMessageContaining("the loss is NaN").hasMessageContaining("intact");
        assertThat(ModelDirectory.load(tmp).step()).isEqualTo(2);
    }

    @Test
    void aNonFiniteLossBeforeAnyCheckpointSaysNoneWasWritten(@TempDir Path tmp) {
        Vlm model = tinyModel();
        Trainer.Listener poison = new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepMetrics m) {
                model.parameters().get("decoder.lm_head.bias").data()[0] = Float.NaN; // after step 1, before any checkpoint
            }
        };
        assertThatThrownBy(() -> new Trainer(tmp, model, tokenizer, settings(4, 0), data, List.of(), transform, poison).run(false, 0))
                .isInstanceOf(UserException.class).hasMessageContaining("step 2").hasMessageContaining("no checkpoint")
                .hasMessageNotContaining("intact");
        assertThat(tmp.resolve(ModelDirectory.WEIGHTS)).doesNotExist();
    }

    @Test
    void aStopRequestEndsTheStepAndCheckpointsIt(@TempDir Path tmp) {
        Vlm model = tinyModel();
        long[] steps = {0};
        Trainer.Listener counter = new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepMetrics m) {
                steps[0] = m.step();
            }
        };
        Trainer.Summary summary = new Trainer(tmp, model, tokenizer, settings(6, 0), data, List.of(), transform, counter)
                .run(false, 0, () -> steps[0] >= 2);
        assertThat(summary.stopped()).isTrue();
        assertThat(summary.steps()).isEqualTo(2);
        assertThat(ModelDirectory.load(tmp).step()).isEqualTo(2);
        assertThat(TrainingState.file(tmp, 2)).isRegularFile();
    }

    @Test
    void theTinyModelLearnsToCaptionASmallFixedSet(@TempDir Path tmp) {
        List<Example> few = data.subList(0, 6);
        CharTokenizer tok = CharTokenizer.forExamples(few);
        Vlm model = new Vlm(Presets.get("tiny", tok.vocabSize()), 2);
        TrainSettings s = TrainSettings.builder().steps(250).batchSize(6).gradAccumulation(1).lr(1e-2).minLrRatio(0.05).warmupSteps(10)
                .weightDecay(0.0).clipNorm(1.0).evalEvery(0).evalLimit(6).checkpointEvery(0).seed(1).stage(Stage.FULL).build();
        Trainer.Summary summary = new Trainer(tmp, model, tok, s, few, few, transform, new Trainer.Listener() {}).run(false, 0);
        List<String> lines = lines(tmp.resolve("metrics.jsonl"));
        double firstLoss = Double.parseDouble(lines.get(0).replaceAll(".*\"loss\":([0-9.]+).*", "$1"));
        assertThat(summary.finalLoss()).isLessThan(firstLoss / 5);
        System.out.println("tiny model after 250 steps: loss " + firstLoss + " -> " + summary.finalLoss()
                + ", eval-mode loss " + summary.lastEvaluation().loss() + ", exact match " + summary.lastEvaluation().exactMatch());
        assertThat(summary.lastEvaluation().exactMatch()).isEqualTo(1.0);
    }

    private static Path mkdir(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p).stream().map(l -> l.replaceAll("\"tokens_per_s\":[0-9]+,", "")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
