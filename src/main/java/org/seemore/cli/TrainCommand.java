package org.seemore.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.data.Splits;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.train.Stage;
import org.seemore.train.TrainSettings;
import org.seemore.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seemore train}: trains a model into a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a seemore VLM (or, with --stage lm, its decoder alone) into a run directory.",
                "The run directory is a model directory: use it with caption, eval and --init-from."})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Training data: a .jsonl, .csv, .json (LLaVA) or .txt file, or synthetic:shapes.")
    String data;

    @Option(names = "--val", paramLabel = "PATH", description = "Validation data (default: a seeded 5%% of --data).")
    String val;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The run directory.")
    Path out;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int steps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per micro-batch (default: ${DEFAULT-VALUE}).", defaultValue = "32")
    int batchSize;

    @Option(names = "--grad-accum", paramLabel = "N", description = "Micro-batches per step (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int gradAccum;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate (default: ${DEFAULT-VALUE}).", defaultValue = "1e-3")
    double lr;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up steps (default: ${DEFAULT-VALUE}).", defaultValue = "50")
    int warmup;

    @Option(names = "--stage", paramLabel = "S", description = "lm, projector, finetune or full (default: ${DEFAULT-VALUE}).", defaultValue = "full")
    String stage;

    @Option(names = "--init-from", paramLabel = "DIR", description = "Load the matching components (vision, projector, decoder) of an earlier run; repeatable.")
    List<Path> initFrom = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--force", description = "Overwrite an existing run directory.")
    boolean force;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between evaluations (default: ${DEFAULT-VALUE}).", defaultValue = "250")
    int evalEvery;

    @Option(names = "--eval-limit", paramLabel = "N", description = "Validation records captioned per evaluation (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int evalLimit;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).", defaultValue = "250")
    int checkpointEvery;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        common.apply();
        Stage st = CliSupport.parse("--stage", () -> Stage.parse(stage));
        TrainSettings settings = CliSupport.parse("--steps/--batch-size/--lr", () -> new TrainSettings(steps, batchSize, gradAccum, lr, 0.1, warmup,
                0.1, 1.0, evalEvery, evalLimit, checkpointEvery, common.seed, st));
        VlmConfig base = modelOptions.baseConfig(); // a bad --config is refused before the run directory is made
        String sized = modelOptions.name() + " at --batch-size " + batchSize;
        if (!resume) MemoryCheck.trainingLowerBound(sized, base, st, batchSize); // a model far too large is refused before the data is read
        RunDirectories.prepare(out, resume, force);

        int imageSize = base.imageSize();
        DataSource.Options opts = dataOptions.options(imageSize, common.seed, base.maxTextTokens() - 1);
        DataSource.Loaded trainData = DataSource.load(data, opts);
        CliSupport.reportSkipped(data, trainData);
        List<Example> trainSet = trainData.examples(), valSet;
        if (val != null) {
            DataSource.Loaded v = DataSource.load(val, opts);
            CliSupport.reportSkipped(val, v);
            valSet = v.examples();
        } else if (DataSource.isSynthetic(data)) {
            valSet = DataSource.load(DataSource.SYNTHETIC + ":val", opts).examples();
        } else {
            Splits.Split split = Splits.holdOut(trainSet, 0.05, common.seed);
            trainSet = split.train();
            valSet = split.validation();
        }

        CharTokenizer tokenizer;
        Vlm model;
        if (resume) {
            if (ModelDirectory.isModelDirectory(out)) {
                VlmConfig saved = ModelDirectory.readConfig(out);
                MemoryCheck.training(out + " at --batch-size " + batchSize, saved, st, batchSize, trainSet, valSet, ImageTransform.imagenet(saved.imageSize()));
            }
            ModelDirectory.Loaded loaded = ModelDirectory.load(out);
            tokenizer = loaded.tokenizer();
            model = loaded.model();
        } else {
            tokenizer = initFrom.isEmpty() ? CharTokenizer.forExamples(trainSet) : CliSupport.tokenizerOf(initFrom.get(0));
            VlmConfig config = modelOptions.config(tokenizer.vocabSize());
            MemoryCheck.training(sized, config, st, batchSize, trainSet, valSet, ImageTransform.imagenet(config.imageSize()));
            model = new Vlm(config, common.seed);
            for (Path dir : initFrom) InitFrom.load(dir, model, tokenizer, st);
        }
        if (st.usesImages()) {
            for (Example e : trainSet) {
                if (e.image() == null) throw new UserException(e.origin() + ": stage " + st.id() + " trains on images, but this record has none (use --stage lm for text)");
            }
        }
        System.out.printf("seemore train: %s parameters (%s trainable), %d training and %d validation records, stage %s%n",
                CliSupport.count(model.parameterCount()), CliSupport.count(Trainer.trainable(model, st).stream()
                        .mapToLong(n -> model.parameters().get(n).size()).sum()), trainSet.size(), valSet.size(), st.id());
        ImageTransform transform = ImageTransform.imagenet(model.config().imageSize());
        try (TrainProgress progress = new TrainProgress(settings.steps())) {
            Trainer trainer = new Trainer(out, model, tokenizer, settings, trainSet, valSet, transform, progress);
            Trainer.Summary summary = trainer.run(resume, 0);
            progress.close();
            System.out.printf("trained %d steps in %.1f s; final loss %.4f%n", summary.steps(), summary.seconds(), summary.finalLoss());
            if (summary.lastEvaluation() != null) {
                var e = summary.lastEvaluation();
                System.out.printf("validation: loss %.4f, exact match %.1f%%, character error rate %.2f%% (%d records)%n",
                        e.loss(), 100 * e.exactMatch(), 100 * e.charErrorRate(), e.n());
            }
            System.out.println("run directory: " + out + " (model, metrics.jsonl, loss.png, experts.png)");
        }
        return 0;
    }
}
