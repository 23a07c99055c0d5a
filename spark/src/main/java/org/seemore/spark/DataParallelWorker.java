package org.seemore.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.seemore.UserException;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ForwardContext;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.train.AdamW;
import org.seemore.train.Batch;
import org.seemore.train.BatchStream;
import org.seemore.train.LrSchedule;
import org.seemore.train.SequenceEncoder;
import org.seemore.train.Stage;
import org.seemore.train.TrainingStep;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * The executor side of data-parallel training. A worker holds no state that matters between rounds:
 * each round ships the parameters, so a task Spark retries elsewhere (a lost executor) computes the
 * same result. What it caches per JVM (model skeleton, data, tokenizer) is rebuilt from the {@link Job}.
 *
 * <p>Worker w's micro-batch at optimizer step s is global batch {@code s*W + w} of the core's
 * {@link BatchStream} order, which is what single-process training with {@code --grad-accum W}
 * consumes at step s.
 */
public final class DataParallelWorker {

    /** What every worker needs to rebuild the run; shipped with each round. {@code format} is null to choose by extension. */
    public record Job(String key, String configJson, byte[] tokenizer, String data, String format,
                      int syntheticCount, int batchSize, long seed, int workers, String stage, double clipNorm,
                      double weightDecay, boolean noise) implements Serializable {}

    /**
     * One round: {@code localSteps} steps from {@code firstStep} at learning rates {@code lrs}.
     * With {@code sync}, one step whose gradients are returned (the driver updates); otherwise
     * DiLoCo's inner loop: local AdamW steps whose resulting parameters are returned.
     */
    public record Round(long firstStep, double[] lrs, boolean sync) implements Serializable {}

    /**
     * A worker's answer: {@code values[i]} the gradient (sync) or the new value (local) of trainable
     * parameter i, null when no gradient reached it; losses as {@link TrainingStep.Result}'s.
     */
    public record Result(int worker, float[][] values, double loss, double ce, double aux, long tokens,
                         double[][] expertLoad, double computeSeconds) implements Serializable {}

    private record Runtime(Vlm model, List<Tensor> trainable, List<Example> examples, SequenceEncoder encoder,
                           ImageTransform transform, Job job) {}

    private static final ConcurrentHashMap<String, Runtime> RUNTIMES = new ConcurrentHashMap<>();

    private DataParallelWorker() {}

    /** Runs {@code round} as worker {@code worker} from the parameters {@code values}. */
    public static Result run(Job job, Round round, int worker, float[][] values) {
        // one model per worker index: tasks of one executor may run side by side
        Runtime rt = RUNTIMES.computeIfAbsent(job.key() + "#" + worker, k -> build(job));
        for (int i = 0; i < values.length; i++) System.arraycopy(values[i], 0, rt.trainable().get(i).data(), rt.trainable().get(i).offset(), values[i].length);
        long t0 = System.nanoTime();
        ForwardContext context = job.noise()
                ? ForwardContext.training(rt.model().config(), new Rng(job.seed() * 1_000_003L + round.firstStep() * job.workers() + worker))
                : ForwardContext.inference();
        int workers = job.workers();
        float[][] out = new float[values.length][];
        TrainingStep.Result r;
        double loss = 0, ce = 0, aux = 0;
        long tokens = 0;
        double[][] load;
        if (round.sync()) {
            for (Tensor p : rt.model().parameters().values()) p.recycleGrad();
            TrainingStep step = new TrainingStep(rt.model(), new AdamW(java.util.Map.of(), AdamW.Settings.defaults()), context,
                    new TrainingStep.Settings(LrSchedule.constant(round.lrs()[0]), job.clipNorm(), workers), null);
            long s = round.firstStep();
            r = step.accumulate(s, () -> batch(rt, s * workers + worker), 1);
            for (int i = 0; i < out.length; i++) {
                float[] g = rt.trainable().get(i).grad();
                out[i] = g == null ? null : g.clone();
            }
            loss = r.loss(); ce = r.ce(); aux = r.aux(); tokens = r.tokens(); load = r.expertLoad();
        } else {
            // DiLoCo's inner optimizer: AdamW from fresh moments each round (the state shipped is parameters only)
            AdamW inner = new AdamW(rt.model().parameters(), new AdamW.Settings(0.9, 0.95, 1e-8, job.weightDecay()));
            long first = round.firstStep();
            TrainingStep step = new TrainingStep(rt.model(), inner, context,
                    new TrainingStep.Settings(s -> round.lrs()[(int) (s - first)], job.clipNorm(), 1), null);
            int k = round.lrs().length;
            load = null;
            for (long s = first; s < first + k; s++) {
                long j = s * workers + worker;
                r = step.run(s, () -> batch(rt, j));
                loss += r.loss() / k; ce += r.ce() / k; aux += r.aux() / k; tokens += r.tokens();
                load = r.expertLoad();
            }
            for (int i = 0; i < out.length; i++) out[i] = rt.trainable().get(i).toArray();
        }
        return new Result(worker, out, loss, ce, aux, tokens, load, (System.nanoTime() - t0) / 1e9);
    }

    private static Batch batch(Runtime rt, long index) {
        try (BatchStream stream = new BatchStream(rt.examples(), rt.encoder(), rt.transform(), rt.job().batchSize(), rt.job().seed(), index)) {
            return stream.next();
        }
    }

    private static Runtime build(Job job) {
        VlmConfig config = VlmConfig.fromJson(job.configJson());
        Vlm model = new Vlm(config, 0);
        Stage stage = Stage.valueOf(job.stage());
        List<Tensor> trainable = new ArrayList<>();
        model.parameters().forEach((name, t) -> {
            t.requiresGrad(stage.trains(name));
            if (stage.trains(name)) trainable.add(t);
        });
        CharTokenizer tokenizer = tokenizer(job.tokenizer());
        List<Example> examples = DataSource.load(job.data(), new DataSource.Options(Optional.ofNullable(job.format()), null, false, config.imageSize(),
                job.seed(), job.syntheticCount(), 1)).examples();
        ImageTransform transform = stage.usesImages() ? ImageTransform.imagenet(config.imageSize()) : null;
        return new Runtime(model, trainable, examples, new SequenceEncoder(tokenizer, config.maxTextTokens()), transform, job);
    }

    /** The tokenizer's file, as bytes to ship. */
    static byte[] tokenizerBytes(CharTokenizer tokenizer) {
        try {
            Path tmp = Files.createTempFile("seemore-tokenizer", ".json");
            try {
                tokenizer.save(tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserException("cannot write a temporary tokenizer file: " + e.getMessage());
        }
    }

    private static CharTokenizer tokenizer(byte[] bytes) {
        try {
            Path tmp = Files.createTempFile("seemore-tokenizer", ".json");
            try {
                Files.write(tmp, bytes);
                return CharTokenizer.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserException("cannot write a temporary tokenizer file: " + e.getMessage());
        }
    }
}
