package org.seemore.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ForwardContext;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.train.AdamW;
import org.seemore.train.BatchStream;
import org.seemore.train.SequenceEncoder;
import org.seemore.train.Stage;
import org.seemore.train.TrainSettings;
import org.seemore.train.Trainer;
import org.seemore.train.TrainingStep;

/**
 * Data-parallel training on local[2] against the core's single-process {@link TrainingStep}: synchronous
 * steps equal gradAccumulation = workers on the same micro-batches; DiLoCo keeps each worker's inner AdamW
 * across rounds and through a resume; the run directory is a resumable model directory.
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

    static TrainSettings settings(long seed) {
        return TrainSettings.builder().steps(STEPS).batchSize(BATCH).gradAccumulation(WORKERS).lr(3e-3).warmupSteps(1)
                .checkpointEvery(2).seed(seed).stage(Stage.FULL).build();
    }

    static List<Example> data(long seed) {
        return DataSource.load("synthetic:shapes", new DataSource.Options(Optional.empty(), null, false, Presets.get("tiny", 4).imageSize(), seed, 40, 1)).examples();
    }

    /** The tiny model trained in one process by the core's step: micro-batches 0, 1, 2, ... of the BatchStream order, gradAccumulation of them per step. */
    static Vlm singleProcess(List<Example> examples, CharTokenizer tokenizer, TrainSettings settings) {
        Vlm single = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), settings.seed());
        TrainingStep step = new TrainingStep(single, new AdamW(single.parameters(), new AdamW.Settings(0.9, 0.95, 1e-8, settings.weightDecay())),
                ForwardContext.inference(), TrainingStep.Settings.of(settings), null);
        ImageTransform transform = ImageTransform.imagenet(single.config().imageSize());
        try (BatchStream stream = new BatchStream(examples, new SequenceEncoder(tokenizer, single.config().maxTextTokens()), transform,
                settings.batchSize(), settings.seed(), 0)) {
            for (int s = 0; s < settings.steps(); s++) step.run(s, stream::next);
        }
        return single;
    }

    static double maxDifference(Vlm a, Vlm b) {
        double maxDiff = 0;
        for (var e : a.parameters().entrySet()) {
            float[] x = e.getValue().toArray(), y = b.parameters().get(e.getKey()).toArray();
            for (int i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
        }
        return maxDiff;
    }

    @Test
    void synchronousStepsEqualSingleProcessGradientAccumulation(@TempDir Path dir) {
        List<Example> examples = data(7);
        CharTokenizer tokenizer = CharTokenizer.forExamples(examples);
        TrainSettings settings = settings(7);
        Vlm single = singleProcess(examples, tokenizer, settings);

        Vlm parallel = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        var job = DataParallelTrainer.job(parallel, tokenizer, settings, "synthetic:shapes", null, 40, WORKERS, false);
        List<Trainer.StepMetrics> logged = new ArrayList<>();
        var summary = DataParallelTrainer.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), dir, parallel, tokenizer, settings,
                new DataParallelTrainer.Settings(WORKERS, 1, 0.7, 0.9), job, false, new Trainer.Listener() {
                    @Override
                    public void onStep(Trainer.StepMetrics m) {
                        logged.add(m);
                    }
                });
        // each layer's expert shares over the whole global batch sum to 1 (the workers' are shares of 1/W already)
        for (double[] layer : logged.getLast().expertLoad()) assertThat(java.util.Arrays.stream(layer).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));

        assertThat(summary.steps()).isEqualTo(STEPS);
        assertThat(summary.rounds()).hasSize(STEPS);
        double maxDiff = maxDifference(parallel, single);
        System.out.println("sync data-parallel vs single process, max parameter difference after " + STEPS + " steps: " + maxDiff);
        assertThat(maxDiff).as("max parameter difference").isLessThan(1e-5);
        // and they moved: the comparison is not between two untouched models
        Vlm init = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        assertThat(maxDifference(init, single)).isGreaterThan(1e-3);
        assertThat(ModelDirectory.load(dir).step()).isEqualTo(STEPS);
        assertThat(dir.resolve("metrics.jsonl")).exists();
    }

    /**
     * One DiLoCo worker with outer lr 1 and no momentum takes the worker's parameters as they are: the run is
     * single-process AdamW over all steps exactly when the inner AdamW's moments and step count survive
     * from round to round (restarting them each round would differ from the second round on).
     */
    @Test
    void innerOptimizerStateLivesAcrossRounds(@TempDir Path dir) {
        List<Example> examples = data(7);
        CharTokenizer tokenizer = CharTokenizer.forExamples(examples);
        TrainSettings settings = settings(7).toBuilder().steps(4).gradAccumulation(1).checkpointEvery(0).build();
        Vlm single = singleProcess(examples, tokenizer, settings);

        Vlm diloco = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        var job = DataParallelTrainer.job(diloco, tokenizer, settings, "synthetic:shapes", null, 40, 1, false);
        List<String> notices = new ArrayList<>();
        var summary = DataParallelTrainer.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), dir, diloco, tokenizer, settings,
                new DataParallelTrainer.Settings(1, 2, 1.0, 0.0), job, false, new Trainer.Listener() {
                    @Override
                    public void onNotice(String message) {
                        notices.add(message);
                    }
                });
        assertThat(summary.rounds()).hasSize(2);
        double maxDiff = maxDifference(diloco, single);
        System.out.println("DiLoCo (1 worker, outer lr 1, no momentum) vs single process, max parameter difference after 4 steps: " + maxDiff);
        assertThat(maxDiff).as("max parameter difference").isLessThan(1e-5);
        assertThat(notices).noneMatch(n -> n.contains("start afresh"));
    }

    /** A round whose task fails on the executor stops the run with the executor's one-line error, not Spark's stack. */
    @Test
    void anExecutorsUserErrorStopsTheRunWithItsMessage(@TempDir Path dir) {
        List<Example> examples = data(7);
        CharTokenizer tokenizer = CharTokenizer.forExamples(examples);
        TrainSettings settings = settings(7);
        Vlm model = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        String missing = dir.resolve("only-on-the-driver.jsonl").toString(); // the executors cannot read the training data
        var job = DataParallelTrainer.job(model, tokenizer, settings, missing, null, 40, WORKERS, false);
        assertThatThrownBy(() -> DataParallelTrainer.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), dir.resolve("run"), model, tokenizer,
                settings, new DataParallelTrainer.Settings(WORKERS, 1, 0.7, 0.9), job, false, new Trainer.Listener() {}))
                .isInstanceOf(UserException.class).hasMessageContaining("only-on-the-driver.jsonl").hasMessageNotContaining("\n");
    }

    @Test
    void localStepsWithAnOuterStepTrainAndResume(@TempDir Path dir) {
        List<Example> examples = data(7);
        CharTokenizer tokenizer = CharTokenizer.forExamples(examples);
        // a constant lr after warm-up (cosine floor = lr): the 4-step run's schedule is then the 6-step run's
        TrainSettings settings = settings(7).toBuilder().steps(6).checkpointEvery(2).minLrRatio(1).build();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DataParallelTrainer.Settings diloco = new DataParallelTrainer.Settings(WORKERS, 2, 0.7, 0.9);
        Vlm model = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        var whole = DataParallelTrainer.run(sc, dir.resolve("whole"), model, tokenizer, settings, diloco,
                DataParallelTrainer.job(model, tokenizer, settings, "synthetic:shapes", null, 40, WORKERS, false), false, new Trainer.Listener() {});
        assertThat(whole.rounds()).hasSize(3);
        assertThat(dir.resolve("whole").resolve(DiLoCoState.OUTER)).exists();
        assertThat(dir.resolve("whole").resolve(DiLoCoState.INNER)).exists();

        // two rounds, then a resume as a new driver would run it (a new job: no executor holds its workers' state):
        // the inner optimizers come back from the checkpoint, and the weights are the uninterrupted run's
        Vlm first = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        DataParallelTrainer.run(sc, dir.resolve("split"), first, tokenizer, settings.toBuilder().steps(4).build(), diloco,
                DataParallelTrainer.job(first, tokenizer, settings, "synthetic:shapes", null, 40, WORKERS, false), false, new Trainer.Listener() {});
        Vlm resumed = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 99);
        List<String> notices = new ArrayList<>();
        DataParallelTrainer.run(sc, dir.resolve("split"), resumed, tokenizer, settings, diloco,
                DataParallelTrainer.job(resumed, tokenizer, settings, "synthetic:shapes", null, 40, WORKERS, false), true, new Trainer.Listener() {
                    @Override
                    public void onNotice(String message) {
                        notices.add(message);
                    }
                });
        model.parameters().forEach((name, p) -> assertThat(resumed.parameters().get(name).toArray()).as(name).containsExactly(p.toArray()));
        assertThat(notices).noneMatch(n -> n.contains("afresh"));
    }
}
