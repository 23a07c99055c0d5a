package org.seemore.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ForwardContext;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Vlm;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * The training loop: {@link TrainingStep}s (AdamW on the stage's trainable parameters, warm-up +
 * cosine learning rate, gradient clipping and accumulation), periodic evaluation and atomic checkpoints
 * into the run directory (itself a model directory), metrics in {@code metrics.jsonl} and plots.
 */
public final class Trainer {

    /** Progress callbacks (the CLI's progress bar); every method has a no-op default. */
    public interface Listener {
        default void onStep(StepMetrics metrics) {}

        default void onEvaluation(long step, Evaluator.Result result) {}

        default void onCheckpoint(long step) {}

        /** Something the user should know that does not stop the run, on one line. */
        default void onNotice(String message) {
            System.err.println("seemore: " + message);
        }
    }

    /** One optimizer step's figures. {@code expertLoad[layer][expert]} is the share of routed assignments. */
    public record StepMetrics(long step, double loss, double ce, double aux, double lr, double gradNorm,
                              double tokensPerSecond, double[][] expertLoad) {}

    /** How the run ended; {@code stopped} when a stop request ended it early (its last step is checkpointed). */
    public record Summary(long steps, double finalLoss, Evaluator.Result lastEvaluation, double seconds, boolean stopped) {}

    private final Path runDir;
    private final Vlm model;
    private final CharTokenizer tokenizer;
    private final TrainSettings settings;
    private final List<Example> train;
    private final List<Example> validation;
    private final ImageTransform transform;
    private final Listener listener;
    private long lastCheckpoint = -1;

    /** @param transform image preprocessing; null when the stage reads text only */
    public Trainer(Path runDir, Vlm model, CharTokenizer tokenizer, TrainSettings settings,
                   List<Example> train, List<Example> validation, ImageTransform transform, Listener listener) {
        this.runDir = runDir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.train = train;
        this.validation = validation;
        this.transform = settings.stage().usesImages() ? transform : null;
        this.listener = listener;
    }

    /**
     * Trains until {@code settings.steps()}, or stops after {@code stopAfter} steps of this call
     * (0: no limit; used to interrupt a run). With {@code resume}, continues from the run
     * directory's last checkpoint exactly as an uninterrupted run would.
     */
    public Summary run(boolean resume, long stopAfter) {
        return run(resume, stopAfter, () -> false);
    }

    /**
     * As {@link #run(boolean, long)}; when {@code stopRequested} turns true (Ctrl-C, SIGTERM) the
     * current step finishes, a checkpoint of it is written and the run returns, marked stopped.
     */
    public Summary run(boolean resume, long stopAfter, BooleanSupplier stopRequested) {
        long start = System.nanoTime();
        Map<String, Tensor> params = model.parameters();
        params.forEach((name, t) -> t.requiresGrad(settings.stage().trains(name)));
        AdamW optimizer = new AdamW(params, new AdamW.Settings(0.9, 0.95, 1e-8, settings.weightDecay()));
        Rng rng = new Rng(settings.seed() ^ 0x5EEC0DEL);
        long step = 0, batches = 0;
        MetricsLog metrics = new MetricsLog(runDir);
        lastCheckpoint = -1;
        if (resume) {
            step = ModelDirectory.loadWeights(runDir.resolve(ModelDirectory.WEIGHTS), model, n -> true);
            if (step < 0) throw new UserException(runDir.resolve(ModelDirectory.WEIGHTS) + ": has no training step; cannot resume");
            batches = TrainingState.restore(runDir, step, optimizer, rng);
            lastCheckpoint = step;
            metrics.truncateAfter(step).ifPresent(listener::onNotice);
        } else {
            ModelDirectory.writeConfig(runDir, model.config(), tokenizer);
            metrics.reset();
        }
        TrainingStep trainingStep = new TrainingStep(model, optimizer, ForwardContext.training(model.config(), rng),
                TrainingStep.Settings.of(settings), new BufferPool());
        SequenceEncoder encoder = new SequenceEncoder(tokenizer, model.config().maxTextTokens());
        Evaluator evaluator = new Evaluator(model, tokenizer, transform, Math.max(settings.batchSize(), 16));
        double lastLoss = Double.NaN;
        Evaluator.Result lastEval = null;
        long first = step;
        boolean stopped = false;
        try (BatchStream stream = new BatchStream(train, encoder, transform, settings.batchSize(), settings.seed(), batches)) {
            while (step < settings.steps() && (stopAfter <= 0 || step - first < stopAfter)) {
                if (stopRequested.getAsBoolean()) {
                    stopped = true;
                    if (step > lastCheckpoint && step > 0) checkpoint(step, batches, optimizer, rng, metrics);
                    break;
                }
                long t0 = System.nanoTime();
                TrainingStep.Result result;
                try {
                    result = trainingStep.run(step, stream::next);
                } catch (TrainingStep.NonFiniteLossException e) {
                    throw nonFinite(e);
                }
                step++;
                batches = stream.position();
                lastLoss = result.loss();
                double seconds = (System.nanoTime() - t0) / 1e9;
                StepMetrics sm = new StepMetrics(step, result.loss(), result.ce(), result.aux(), result.lr(), result.gradNorm(),
                        result.tokens() / seconds, result.expertLoad());
                metrics.step(sm);
                listener.onStep(sm);
                boolean last = step == settings.steps();
                if (!validation.isEmpty() && (last || (settings.evalEvery() > 0 && step % settings.evalEvery() == 0))) {
                    lastEval = evaluator.evaluate(validation, settings.evalLimit());
                    metrics.evaluation(step, lastEval);
                    listener.onEvaluation(step, lastEval);
                }
                if (last || (settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0)) {
                    checkpoint(step, batches, optimizer, rng, metrics);
                }
            }
        }
        return new Summary(step, lastLoss, lastEval, (System.nanoTime() - start) / 1e9, stopped);
    }

    /** The loss went NaN or infinite: says which checkpoint is intact, if any, and what to try. */
    private UserException nonFinite(TrainingStep.NonFiniteLossException e) {
        return new UserException(e.getMessage() + "; training stopped" + (lastCheckpoint < 0
                ? " before its first checkpoint, so no checkpoint was written in " + runDir
                : ". The last checkpoint (step " + lastCheckpoint + ") in " + runDir + " is intact")
                + "; try a lower --lr or more --warmup", e);
    }

    private void checkpoint(long step, long batches, AdamW optimizer, Rng rng, MetricsLog metrics) {
        TrainingState.write(runDir, step, batches, optimizer, rng);
        ModelDirectory.writeWeights(runDir, model, step);
        TrainingState.prune(runDir, step);
        lastCheckpoint = step;
        metrics.plot();
        listener.onCheckpoint(step);
    }

    /** Trainable parameters of a stage, for messages. */
    public static List<String> trainable(Vlm model, Stage stage) {
        List<String> out = new ArrayList<>();
        for (String n : model.parameters().keySet()) if (stage.trains(n)) out.add(n);
        return out;
    }
}
