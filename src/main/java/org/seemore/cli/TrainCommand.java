package org.seemore.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.seemore.train.MetricsLog;
import org.seemore.train.RunRecord;
import org.seemore.train.Stage;
import org.seemore.train.TrainSettings;
import org.seemore.train.Trainer;
import org.seemore.track.MlflowTracker;
import org.seemore.track.RunMetadata;
import org.seemore.track.RunStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code seemore train}: trains a model into a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = TrainCommand.Defaults.class,
        description = {"Train a seemore VLM (or, with --stage lm, its decoder alone) into a run directory.",
                "The run directory is a model directory: use it with caption, eval and --init-from."})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Training data: a .jsonl, .csv, .json (LLaVA) or .txt file, or synthetic:shapes.")
    String data;

    @Option(names = "--val", paramLabel = "PATH", description = "Validation data (default: a seeded 5%% of --data; none when it has fewer than 100 records).")
    String val;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The run directory.")
    Path out;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--grad-accum", paramLabel = "N", description = "Micro-batches per step (default: ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--stage", paramLabel = "S", description = "lm, projector, finetune or full (default: ${DEFAULT-VALUE}).")
    String stage;

    @Option(names = "--init-from", paramLabel = "DIR", description = "Load the matching components (vision, projector, decoder) of an earlier run; repeatable.")
    List<Path> initFrom = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint; flags left out keep the run's values.")
    boolean resume;

    @Option(names = "--force", description = "Replace the run in --out (only a directory of seemore's own files).")
    boolean force;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between evaluations (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-limit", paramLabel = "N", description = "Validation records captioned per evaluation (default: ${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    MlflowOptions mlflow;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        common.apply();
        if (resume && force) throw new UserException("--resume and --force: give one (--resume continues the run in --out, --force replaces it)");
        if (resume && !initFrom.isEmpty()) throw new UserException("--init-from: not used with --resume, which continues from the run's own checkpoint");
        TrainSettings settings = settings();
        mlflow.check();
        if (force) refuseInputsInOut();
        // a bad --config, or a model far too large, is refused before the run directory is made or the data read
        String sized = modelOptions.name() + " at --batch-size " + settings.batchSize();
        if (!resume) MemoryCheck.trainingLowerBound(sized, modelOptions.baseConfig(), settings.stage(), settings.batchSize());
        RunDirectories.prepare(out, resume, force);

        ModelDirectory.Loaded resumed = null;
        Optional<RunRecord> record = Optional.empty();
        List<String> notices = new ArrayList<>();
        if (resume) {
            resumed = ModelDirectory.load(out);
            MlflowTracker.checkResume(mlflow.options(given("--mlflow-experiment")), out);
            VlmConfig config = resumed.model().config();
            record = RunRecord.read(out);
            if (record.isPresent()) {
                Resume.Settings r = Resume.settings(out, record.get().settings(), settings, this::given);
                settings = r.settings();
                notices.addAll(r.notices());
            } else {
                notices.add(out + " has no " + RunRecord.FILE + " (a demo run, or one from an older seemore): the flags are not checked against the run");
            }
            if (given("--preset") || given("--config")) {
                Resume.checkModel(out, config, record.map(RunRecord::model).orElse(null), modelOptions.config(config.vocabSize()), modelFlags());
            }
            if (resumed.step() >= settings.steps()) {
                System.out.printf("%s: the run is already finished at %d steps; to train it further, resume with more --steps (e.g. --steps %d)%n",
                        out, resumed.step(), 2 * resumed.step());
                if (MlflowTracker.hasUnsent(out)) {
                    // what the tracking store did not take when the run ended goes now
                    try (MlflowTracker tracker = MlflowTracker.start(mlflow.options(given("--mlflow-experiment")), out, resumed.step(), Map.of(),
                            "seemore train", MlflowOptions::notice)) {
                        if (tracker != null) tracker.finish(RunStatus.FINISHED);
                    }
                }
                return 0;
            }
        }

        VlmConfig base = resumed != null ? resumed.model().config() : modelOptions.baseConfig();
        long seed = settings.seed();
        DataSource.Options opts = dataOptions.options(base.imageSize(), seed, base.maxTextTokens() - 1);
        DataSource.Loaded trainData = DataSource.load(data, opts);
        CliSupport.reportSkipped(data, trainData);
        DataWarnings.truncated(data, trainData.examples(), base.maxTextTokens());
        List<Example> trainSet = trainData.examples(), valSet;
        if (val != null) {
            DataSource.Loaded v = DataSource.load(val, opts);
            CliSupport.reportSkipped(val, v);
            DataWarnings.truncated(val, v.examples(), base.maxTextTokens());
            valSet = v.examples();
        } else if (DataSource.isSynthetic(data)) {
            valSet = DataSource.load(DataSource.SYNTHETIC + ":val", opts).examples();
        } else {
            Splits.Split split = Splits.defaultValidation(trainSet, seed);
            trainSet = split.train();
            valSet = split.validation();
            System.out.println(Splits.describeDefault(split));
        }
        String fingerprint = RunRecord.fingerprint(trainSet);
        Stage st = settings.stage();
        if (record.isPresent()) Resume.checkData(out, record.get(), data, trainSet.size(), fingerprint);

        CharTokenizer tokenizer;
        Vlm model;
        if (resumed != null) {
            VlmConfig saved = resumed.model().config();
            MemoryCheck.training(out + " at --batch-size " + settings.batchSize(), saved, st, settings.batchSize(), trainSet, valSet,
                    ImageTransform.imagenet(saved.imageSize()));
            tokenizer = resumed.tokenizer();
            model = resumed.model();
        } else {
            tokenizer = initFrom.isEmpty() ? CharTokenizer.forExamples(trainSet) : CliSupport.tokenizerOf(initFrom.get(0));
            VlmConfig config = modelOptions.config(tokenizer.vocabSize());
            MemoryCheck.training(sized, config, st, settings.batchSize(), trainSet, valSet, ImageTransform.imagenet(config.imageSize()));
            model = new Vlm(config, seed);
            for (Path dir : initFrom) InitFrom.load(dir, model, tokenizer, st);
        }
        if (st.usesImages()) {
            for (Example e : trainSet) {
                if (e.image() == null) throw new UserException(e.origin() + ": stage " + st.id() + " trains on images, but this record has none (use --stage lm for text)");
            }
        }
        RunDirectories.start(out, force);
        new RunRecord(data, trainSet.size(), fingerprint, resumed != null ? record.map(RunRecord::model).orElse(null) : modelFlags(), settings).write(out);
        if (resumed != null) new MetricsLog(out).truncateAfter(resumed.step()).ifPresent(notices::add);
        for (String notice : notices) System.err.println("seemore: " + notice);
        System.out.printf("seemore train: %s parameters (%s trainable), %d training and %d validation records, stage %s%n",
                CliSupport.count(model.parameterCount()), CliSupport.count(Trainer.trainable(model, st).stream()
                        .mapToLong(n -> model.parameters().get(n).size()).sum()), trainSet.size(), valSet.size(), st.id());
        ImageTransform transform = ImageTransform.imagenet(model.config().imageSize());
        Map<String, String> params = new LinkedHashMap<>(RunMetadata.modelParams(model.config()));
        params.putAll(RunMetadata.trainingParams(settings));
        params.put("data", data);
        if (val != null) params.put("val", val);
        params.put("data.records", Integer.toString(trainSet.size()));
        params.put("data.fingerprint", fingerprint);
        try (MlflowTracker tracker = MlflowTracker.start(mlflow.options(given("--mlflow-experiment")), out, resumed != null ? resumed.step() : -1,
                params, "seemore train", MlflowOptions::notice);
             TrainProgress progress = new TrainProgress(settings.steps()); StopSignals signals = StopSignals.install()) {
            Trainer trainer = new Trainer(out, model, tokenizer, settings, trainSet, valSet, transform, Listeners.of(progress, tracker));
            Trainer.Summary summary = trainer.run(resume, 0, signals::requested);
            progress.close();
            if (tracker != null) tracker.finish(summary.stopped() ? RunStatus.KILLED : RunStatus.FINISHED);
            if (summary.stopped()) {
                System.err.println("seemore: " + signals.name() + ": " + (summary.steps() == 0 ? "stopped before the first step; no checkpoint was written in " + out
                        : "stopped after step " + summary.steps() + " with its checkpoint saved in " + out + "; continue it by running the same command with --resume"
                        + (force ? " instead of --force" : "")));
                return signals.exitCode();
            }
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

    /** The settings the flags ask for; what no flag sets is {@link TrainSettings#defaults()}'s. */
    TrainSettings settings() {
        Stage asked = CliSupport.parse("--stage", () -> Stage.parse(stage));
        return CliSupport.parse("--steps/--batch-size/--lr", () -> TrainSettings.builder().steps(steps).batchSize(batchSize)
                .gradAccumulation(gradAccum).lr(lr).warmupSteps(warmup).evalEvery(evalEvery).evalLimit(evalLimit)
                .checkpointEvery(checkpointEvery).seed(common.seed).stage(asked).build());
    }

    /**
     * The flags' defaults, taken from {@link TrainSettings#defaults()} so that the CLI and the code
     * cannot disagree ({@code --help} shows them).
     */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) return null;
            TrainSettings d = TrainSettings.defaults();
            return switch (option.longestName()) {
                case "--steps" -> Integer.toString(d.steps());
                case "--batch-size" -> Integer.toString(d.batchSize());
                case "--grad-accum" -> Integer.toString(d.gradAccumulation());
                case "--lr" -> Double.toString(d.lr());
                case "--warmup" -> Integer.toString(d.warmupSteps());
                case "--stage" -> d.stage().id();
                case "--eval-every" -> Integer.toString(d.evalEvery());
                case "--eval-limit" -> Integer.toString(d.evalLimit());
                case "--checkpoint-every" -> Integer.toString(d.checkpointEvery());
                case "--seed" -> Long.toString(d.seed());
                default -> null; // the mixins' own
            };
        }
    }

    /** Whether the user gave {@code flag} (rather than leaving it at its default). */
    private boolean given(String flag) {
        return spec.commandLine().getParseResult().hasMatchedOption(flag);
    }

    /** The flags that chose the model, as run.json records them. */
    private String modelFlags() {
        return modelOptions.config != null ? "--config " + modelOptions.config : "--preset " + modelOptions.preset;
    }

    /** --force empties --out, so nothing it reads may lie there. */
    private void refuseInputsInOut() {
        if (!DataSource.isSynthetic(data)) RunDirectories.refuseInside(out, "--data", Path.of(data));
        if (val != null && !DataSource.isSynthetic(val)) RunDirectories.refuseInside(out, "--val", Path.of(val));
        if (modelOptions.config != null) RunDirectories.refuseInside(out, "--config", modelOptions.config);
        if (dataOptions.imageRoot != null) RunDirectories.refuseInside(out, "--image-root", dataOptions.imageRoot);
        for (Path dir : initFrom) RunDirectories.refuseInside(out, "--init-from", dir);
    }
}
