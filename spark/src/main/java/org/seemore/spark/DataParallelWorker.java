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
 * The executor side of data-parallel training. Each round ships the parameters, so in synchronous mode a
 * worker holds no state that matters between rounds and a task Spark retries elsewhere (a lost executor)
 * computes the same result. What it caches per JVM (model skeleton, data, tokenizer) is rebuilt from the {@link Job}.
 *
 * <p>In DiLoCo mode a worker keeps its inner AdamW (moments and step count) across rounds in its executor,
 * as in the paper, where each replica's inner optimizer state never leaves it. The driver pins worker w's
 * task to the executor that ran it last ({@link Result#location}); when the state is not there (a new
 * executor after a loss, or a resumed run without a checkpointed state) the worker restarts its moments
 * and says so ({@link Result#innerRestarted}). At checkpoints it returns the state ({@link InnerState})
 * for the driver to save, and a resumed run ships it back.
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
    public record Round(long firstStep, double[] lrs, boolean sync, boolean returnInnerState) implements Serializable {}

    /** A worker's inner AdamW state: its step count and moments in trainable-parameter order. */
    public record InnerState(long steps, float[][] firstMoments, float[][] secondMoments) implements Serializable {}

    /** One task of a round: the worker index and, when resuming DiLoCo, its saved inner state (else null). */
    public record Task(int worker, InnerState inner) implements Serializable {}

    /**
     * A worker's answer: {@code values[i]} the gradient (sync) or the new value (local) of trainable
     * parameter i, null when no gradient reached it; losses as {@link TrainingStep.Result}'s.
     */
    public record Result(int worker, float[][] values, double loss, double ce, double aux, long tokens,
                         double[][] expertLoad, double computeSeconds, String location, boolean innerRestarted,
                         InnerState inner) implements Serializable {}

    /** A worker's model and data in one executor JVM, and (DiLoCo) its inner optimizer, valid from step {@code innerNext}. */
    private static final class Runtime {
        final Vlm model;
        final List<Tensor> trainable;
        final List<Example> examples;
        final SequenceEncoder encoder;
        final ImageTransform transform;
        final Job job;
        AdamW inner;
        long innerNext = -1;

        Runtime(Vlm model, List<Tensor> trainable, List<Example> examples, SequenceEncoder encoder, ImageTransform transform, Job job) {
            this.model = model;
            this.trainable = trainable;
            this.examples = examples;
            this.encoder = encoder;
            this.transform = transform;
            this.job = job;
        }
    }

    private static final ConcurrentHashMap<String, Runtime> RUNTIMES = new ConcurrentHashMap<>();

    private DataParallelWorker() {}

    /** Runs {@code round} as task {@code task} from the parameters {@code values}. */
    public static Result run(Job job, Round round, Task task, float[][] values) {
        int worker = task.worker();
        // one model per worker index: tasks of one executor may run side by side
        Runtime rt = RUNTIMES.computeIfAbsent(job.key() + "#" + worker, k -> build(job));
        synchronized (rt) { // a retried task may meet its first attempt here
            return run(rt, job, round, task, values);
        }
    }

    private static Result run(Runtime rt, Job job, Round round, Task task, float[][] values) {
        int worker = task.worker();
        for (int i = 0; i < values.length; i++) System.arraycopy(values[i], 0, rt.trainable.get(i).data(), rt.trainable.get(i).offset(), values[i].length);
        long t0 = System.nanoTime();
        ForwardContext context = job.noise()
                ? ForwardContext.training(rt.model.config(), new Rng(job.seed() * 1_000_003L + round.firstStep() * job.workers() + worker))
                : ForwardContext.inference();
        int workers = job.workers();
        float[][] out = new float[values.length][];
        TrainingStep.Result r;
        double loss = 0, ce = 0, aux = 0;
        long tokens = 0;
        double[][] load;
        boolean restarted = false;
        InnerState returned = null;
        if (round.sync()) {
            for (Tensor p : rt.model.parameters().values()) p.recycleGrad();
            TrainingStep step = new TrainingStep(rt.model, new AdamW(java.util.Map.of(), AdamW.Settings.defaults()), context,
                    new TrainingStep.Settings(LrSchedule.constant(round.lrs()[0]), job.clipNorm(), workers), null);
            long s = round.firstStep();
            r = step.accumulate(s, () -> batch(rt, s * workers + worker), 1);
            for (int i = 0; i < out.length; i++) {
                float[] g = rt.trainable.get(i).grad();
                out[i] = g == null ? null : g.clone();
            }
            loss = r.loss(); ce = r.ce(); aux = r.aux(); tokens = r.tokens(); load = r.expertLoad();
        } else {
            long first = round.firstStep();
            if (task.inner() != null) {
                rt.inner = newInner(rt, job);
                rt.inner.restore(task.inner().steps(), List.of(task.inner().firstMoments()), List.of(task.inner().secondMoments()));
            } else if (rt.inner == null || rt.innerNext != first) {
                rt.inner = newInner(rt, job); // first round, or this executor did not run the worker's last round
                restarted = first > 0;
            }
            TrainingStep step = new TrainingStep(rt.model, rt.inner, context,
                    new TrainingStep.Settings(s -> round.lrs()[(int) (s - first)], job.clipNorm(), 1), null);
            int k = round.lrs().length;
            load = null;
            for (long s = first; s < first + k; s++) {
                long j = s * workers + worker;
                r = step.run(s, () -> batch(rt, j));
                loss += r.loss() / k; ce += r.ce() / k; aux += r.aux() / k; tokens += r.tokens();
                load = r.expertLoad();
            }
            rt.innerNext = first + k;
            if (round.returnInnerState()) {
                // the live moments, not copies: the result is serialized as the task ends, before this worker's next
                // round can change them, and a copy would cost 2 floats per parameter more (an executor ran out of heap)
                returned = new InnerState(rt.inner.stepCount(), rt.inner.firstMoments().toArray(float[][]::new), rt.inner.secondMoments().toArray(float[][]::new));
            }
            for (int i = 0; i < out.length; i++) out[i] = rt.trainable.get(i).toArray();
        }
        return new Result(worker, out, loss, ce, aux, tokens, load, (System.nanoTime() - t0) / 1e9, location(), restarted, returned);
    }

    /** DiLoCo's inner optimizer: AdamW with betas (0.9, 0.95), as the paper's inner optimizer. */
    private static AdamW newInner(Runtime rt, Job job) {
        return new AdamW(rt.model.parameters(), new AdamW.Settings(0.9, 0.95, 1e-8, job.weightDecay()));
    }

    /** This executor as a Spark task location ({@code executor_HOST_ID}), for pinning the worker here next round. */
    private static String location() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        if (env == null) return null;
        return "executor_" + env.blockManager().blockManagerId().host() + "_" + env.executorId();
    }

    private static Batch batch(Runtime rt, long index) {
        try (BatchStream stream = new BatchStream(rt.examples, rt.encoder, rt.transform, rt.job.batchSize(), rt.job.seed(), index)) {
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
