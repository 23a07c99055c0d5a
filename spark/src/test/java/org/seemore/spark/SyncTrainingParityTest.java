package org.seemore.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ForwardContext;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.tensor.Tensor;
import org.seemore.train.AdamW;
import org.seemore.train.BatchStream;
import org.seemore.train.SequenceEncoder;
import org.seemore.train.Stage;
import org.seemore.train.TrainSettings;
import org.seemore.train.Trainer;
import org.seemore.train.TrainingStep;

/**
 * Synchronous data-parallel training on local[2] equals the core's single-process {@link TrainingStep}
 * with gradAccumulation = workers on the same micro-batches; the run directory is a resumable model directory.
 */
class SyncTrainingParityTest {
    static final int WORKERS = 2, STEPS = 3, BATCH = 4;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSessions.open("parity", "local[2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TrainSettings settings() {
        return TrainSettings.builder().steps(STEPS).batchSize(BATCH).gradAccumulation(WORKERS).lr(3e-3).warmupSteps(1)
                .checkpointEvery(2).seed(7).stage(Stage.FULL).build();
    }

    static List<Example> data() {
        return DataSource.load("synthetic:shapes", new DataSource.Options(Optional.empty(), null, false, Presets.get("tiny", 4).imageSize(), 7, 40, 1)).examples();
    }

    @Test
    void synchronousStepsEqualSingleProcessGradientAccumulation(@TempDir Path dir) {
        List<Example> examples = data();
        CharTokenizer tokenizer = CharTokenizer.forExamples(examples);
        TrainSettings settings = settings();
        Vlm single = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        TrainingStep step = new TrainingStep(single, new AdamW(single.parameters(), new AdamW.Settings(0.9, 0.95, 1e-8, settings.weightDecay())),
                ForwardContext.inference(), TrainingStep.Settings.of(settings), null);
        ImageTransform transform = ImageTransform.imagenet(single.config().imageSize());
        try (BatchStream stream = new BatchStream(examples, new SequenceEncoder(tokenizer, single.config().maxTextTokens()), transform, BATCH, 7, 0)) {
            for (int s = 0; s < STEPS; s++) step.run(s, stream::next);
        }

        Vlm parallel = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        var job = DataParallelTrainer.job(parallel, tokenizer, settings, "synthetic:shapes", null, 40, WORKERS, false);
        var summary = DataParallelTrainer.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), dir, parallel, tokenizer, settings,
                new DataParallelTrainer.Settings(WORKERS, 1, 0.7, 0.9), job, false, new Trainer.Listener() {});

        assertThat(summary.steps()).isEqualTo(STEPS);
        assertThat(summary.rounds()).hasSize(STEPS);
        Map<String, Tensor> expected = single.parameters();
        double maxDiff = 0;
        for (var e : parallel.parameters().entrySet()) {
            float[] a = e.getValue().toArray(), b = expected.get(e.getKey()).toArray();
            for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        System.out.println("sync data-parallel vs single process, max parameter difference after " + STEPS + " steps: " + maxDiff);
        assertThat(maxDiff).as("max parameter difference").isLessThan(1e-5);
        // and they moved: the comparison is not between two untouched models
        Vlm init = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        assertThat(init.parameters().values().iterator().next().toArray()).isNotEqualTo(expected.values().iterator().next().toArray());
        assertThat(ModelDirectory.load(dir).step()).isEqualTo(STEPS);
        assertThat(dir.resolve("metrics.jsonl")).exists();
    }

    @Test
    void localStepsWithAnOuterStepTrainAndResume(@TempDir Path dir) {
        List<Example> examples = data();
        CharTokenizer tokenizer = CharTokenizer.forExamples(examples);
        TrainSettings settings = settings().toBuilder().steps(4).checkpointEvery(2).build();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DataParallelTrainer.Settings diloco = new DataParallelTrainer.Settings(WORKERS, 2, 0.7, 0.9);
        Vlm model = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        var job = DataParallelTrainer.job(model, tokenizer, settings, "synthetic:shapes", null, 40, WORKERS, false);
        var whole = DataParallelTrainer.run(sc, dir.resolve("whole"), model, tokenizer, settings, diloco, job, false, new Trainer.Listener() {});
        assertThat(whole.rounds()).hasSize(2);
        assertThat(dir.resolve("whole").resolve(DataParallelTrainer.OUTER_STATE)).exists();

        // two rounds in two runs, the second resumed from the first's checkpoint: the same weights
        Vlm first = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        DataParallelTrainer.run(sc, dir.resolve("split"), first, tokenizer, settings.toBuilder().steps(2).build(), diloco, job, false, new Trainer.Listener() {});
        Vlm resumed = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 99);
        DataParallelTrainer.run(sc, dir.resolve("split"), resumed, tokenizer, settings, diloco, job, true, new Trainer.Listener() {});
        model.parameters().forEach((name, p) -> assertThat(resumed.parameters().get(name).toArray()).as(name).containsExactly(p.toArray()));
    }
}
