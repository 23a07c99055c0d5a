package org.seemore.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.synth.ShapesDataset;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.train.Evaluator;
import org.seemore.train.Stage;
import org.seemore.train.TrainSettings;
import org.seemore.train.Trainer;
import org.seemore.train.plot.ContactSheet;
import org.seemore.track.MlflowTracker;
import org.seemore.track.RunMetadata;
import org.seemore.track.RunStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seemore demo}: the whole story in one command. Draws the synthetic shapes set, trains the
 * small MoE VLM on it end to end, captions test images it has never seen and scenes with
 * shape-color pairs it never saw in training, and writes the run directory and a contact sheet.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a small MoE VLM on synthetic scenes, then caption images it has never seen.",
                "About 4 minutes on 2 cores; also scores scenes with shape-color pairs never seen in training."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/demo, or the next free runs/demo-N).")
    Path out;

    @Option(names = "--json", paramLabel = "FILE", description = "Write {\"exact_match\", \"heldout_exact_match\", \"char_error_rate\", \"seconds\", \"steps\"}.")
    Path json;

    @Option(names = "--steps", paramLabel = "N", description = "Training steps (default: ${DEFAULT-VALUE}).", defaultValue = "5000")
    int steps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per step (default: ${DEFAULT-VALUE}).", defaultValue = "32")
    int batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate (default: ${DEFAULT-VALUE}).", defaultValue = "2e-3")
    double lr;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up steps (default: ${DEFAULT-VALUE}).", defaultValue = "50")
    int warmup;

    @Option(names = "--test-count", paramLabel = "N", description = "Test and held-out scenes captioned (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int testCount;

    @picocli.CommandLine.Mixin
    CommonOptions common;

    @picocli.CommandLine.Mixin
    MlflowOptions mlflow;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        common.apply();
        if (steps < 1 || batchSize < 1 || testCount < 1) throw new org.seemore.UserException("--steps, --batch-size and --test-count must be positive");
        mlflow.check();
        Path dir = out != null ? out : freeRunDirectory();
        RunDirectories.prepareNew(dir);

        var base = Presets.get(Presets.SMALL, 4);
        DataSource.Options opts = new DataSource.Options(java.util.Optional.empty(), null, false, base.imageSize(), common.seed, 30000, 1);
        List<Example> train = DataSource.load(DataSource.SYNTHETIC, opts).examples();
        List<Example> val = DataSource.load(DataSource.SYNTHETIC + ":val", opts).examples();
        List<Example> test = sub(DataSource.load(DataSource.SYNTHETIC + ":test", opts).examples(), testCount);
        List<Example> heldout = sub(DataSource.load(DataSource.SYNTHETIC + ":heldout", opts).examples(), testCount);
        CharTokenizer tokenizer = CharTokenizer.forExamples(train);
        Vlm model = new Vlm(base.withVocabSize(tokenizer.vocabSize()), common.seed);
        System.out.printf(Locale.ROOT, "seemore demo: %s-parameter MoE VLM (%d experts, top-%d), %d synthetic training scenes, %d steps of %d%n",
                CliSupport.count(model.parameterCount()), model.config().language().numExperts(), model.config().language().topK(), train.size(), steps, batchSize);
        System.out.println("held-out shape-color pairs (never in training): " + ShapesDataset.HELDOUT_PAIRS);

        // the demo's recipe: a lower floor of the cosine, evaluation and a checkpoint only at the end
        TrainSettings settings = CliSupport.parse("--lr/--warmup", () -> TrainSettings.builder().steps(steps).batchSize(batchSize).lr(lr)
                .minLrRatio(0.05).warmupSteps(Math.min(warmup, steps / 10)).evalEvery(0).evalLimit(100).checkpointEvery(0)
                .seed(common.seed).stage(Stage.FULL).build());
        ImageTransform transform = ImageTransform.imagenet(model.config().imageSize());
        Map<String, String> params = new LinkedHashMap<>(RunMetadata.modelParams(model.config()));
        params.putAll(RunMetadata.trainingParams(settings));
        params.put("data", DataSource.SYNTHETIC);
        params.put("data.records", Integer.toString(train.size()));
        params.put("demo.test_count", Integer.toString(testCount));
        try (MlflowTracker tracker = MlflowTracker.start(mlflow.options(false), dir, -1, params, "seemore demo", MlflowOptions::notice)) {
            Trainer.Summary summary;
            try (TrainProgress progress = new TrainProgress(steps)) {
                summary = new Trainer(dir, model, tokenizer, settings, train, val, transform, Listeners.of(progress, tracker)).run(false, 0);
            }

            Evaluator evaluator = new Evaluator(model, tokenizer, transform, 64);
            Evaluator.Result testResult = evaluator.evaluate(test, 0);
            Evaluator.Result heldResult = evaluator.evaluate(heldout, 0);
            printTable(testResult.samples().subList(0, Math.min(8, testResult.samples().size())), "test (unseen images)");
            printTable(heldResult.samples().subList(0, Math.min(4, heldResult.samples().size())), "held-out combinations");
            Path sheet = dir.resolve("contact-sheet.png");
            List<ContactSheet.Entry> entries = new ArrayList<>();
            for (Evaluator.Sample s : testResult.samples().subList(0, Math.min(24, testResult.samples().size()))) {
                entries.add(new ContactSheet.Entry(ImageDecoder.decode(s.example().image()), s.generated(), s.example().answer()));
            }
            ContactSheet.write(sheet, entries, 6);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%nexact match: test %.1f%% (%d scenes), held-out combinations %.1f%%; character error rate %.2f%%%n",
                    100 * testResult.exactMatch(), testResult.n(), 100 * heldResult.exactMatch(), 100 * testResult.charErrorRate());
            System.out.printf(Locale.ROOT, "%d steps, %.0f s in all; run directory %s (model, metrics.jsonl, loss.png, experts.png, contact-sheet.png)%n",
                    summary.steps(), seconds, dir);
            if (tracker != null) {
                tracker.log(summary.steps(), Map.of("test_exact_match", testResult.exactMatch(), "heldout_exact_match", heldResult.exactMatch(),
                        "test_char_error_rate", testResult.charErrorRate()));
                tracker.finish(RunStatus.FINISHED);
            }
            System.out.println("caption your own image: ./seemore caption --model " + dir + " IMAGE.png");
            if (json != null) {
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("exact_match", testResult.exactMatch());
                report.put("heldout_exact_match", heldResult.exactMatch());
                report.put("char_error_rate", testResult.charErrorRate());
                report.put("seconds", seconds);
                report.put("steps", summary.steps());
                JsonReport.write(json, report);
            }
        }
        return 0;
    }

    private static List<Example> sub(List<Example> all, int n) {
        return all.subList(0, Math.min(n, all.size()));
    }

    private static void printTable(List<Evaluator.Sample> samples, String title) {
        System.out.printf("%n%s%n", title);
        System.out.printf("  %-3s %-62s %s%n", "", "generated", "true");
        for (Evaluator.Sample s : samples) {
            System.out.printf("  %-3s %-62s %s%n", s.exact() ? "ok" : "x", s.generated(), s.exact() ? "" : s.example().answer());
        }
    }

    private static Path freeRunDirectory() {
        Path base = Path.of("runs", "demo");
        for (int i = 2; Files.exists(base) && !isEmptyDir(base); i++) base = Path.of("runs", "demo-" + i);
        return base;
    }

    private static boolean isEmptyDir(Path p) {
        try (var s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
