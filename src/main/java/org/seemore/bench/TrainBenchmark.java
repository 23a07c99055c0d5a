package org.seemore.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.seemore.model.ForwardContext;
import org.seemore.model.LanguageModel;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Profiler;
import org.seemore.tensor.Rng;
import org.seemore.tensor.StepArena;
import org.seemore.tensor.Tensor;
import org.seemore.train.AdamW;
import org.seemore.train.Batch;
import org.seemore.train.LrSchedule;
import org.seemore.train.TrainingStep;

/**
 * Times the model on random data of a given shape: training steps (the {@link TrainingStep} that
 * training runs: forward with dropout and routing noise, backward, clipping, AdamW), the inference forward of the same batch, the encoding of one
 * image, and KV-cache generation for one image.
 */
public final class TrainBenchmark {

    /** What to measure; {@code generationOnly} skips training and the batch forward (their figures are NaN). */
    public record Settings(VlmConfig config, int batch, int textTokens, int warmup, int repeats, int newTokens, boolean profile,
                           boolean generationOnly) {}

    /**
     * The figures. A training step processes {@code tokensPerStep} decoder positions (batch times
     * visual plus text tokens) and {@code trainFlopsPerStep} matmul FLOPs, counted from the shapes and
     * the routing taken ({@link MatmulFlops}); {@code trainGflops} and {@code trainTokensPerS} are
     * those over the median step time. {@code profile} maps component to ms per step {forward,
     * backward}, measured over separate steps of {@code profileStepMs} wall time each (NaN without a
     * profile): the components are disjoint, so their sum is at most that.
     */
    public record Result(double trainStepMs, double trainFlopsPerStep, double trainGflops, long tokensPerStep, double trainTokensPerS,
                         double trainAllocatedMb, double forwardMs, double imageEncodeMs, double generateTokensPerS,
                         double timeToFirstTokenMs, double peakRssMb, Map<String, double[]> profile, double profileStepMs) {}

    public static Result run(Settings s) {
        VlmConfig c = s.config();
        Vlm model = new Vlm(c, 1);
        Rng rng = new Rng(2);
        int b = s.batch(), t = s.textTokens();
        Batch first = randomBatch(c, b, t, 0);
        Tensor images = first.images();
        int[] tokens = first.tokens();
        BufferPool pool = new BufferPool();
        // the step that training runs, on random batches, at a constant learning rate
        TrainingStep trainingStep = new TrainingStep(model, new AdamW(model.parameters(), AdamW.Settings.defaults()),
                ForwardContext.training(c, rng), new TrainingStep.Settings(LrSchedule.constant(1e-4), 1.0, 1), pool);
        // as in training, the next batch is made on another thread while a step runs; "data" is the wait for it
        ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "seemore-bench-data");
            thread.setDaemon(true);
            return thread;
        });
        int[] drawn = {1};
        List<Future<Batch>> pending = new ArrayList<>(List.of(loader.submit(() -> randomBatch(c, b, t, 1))));
        Supplier<Batch> batches = () -> {
            Batch batch = await(pending.getFirst());
            int j = ++drawn[0];
            pending.set(0, loader.submit(() -> randomBatch(c, b, t, j)));
            return batch;
        };
        long[] stepIndex = {0};
        TrainingStep.Result[] last = {null};
        Runnable step = () -> last[0] = trainingStep.run(stepIndex[0]++, batches);
        double trainMs = Double.NaN, allocatedMb = Double.NaN;
        if (!s.generationOnly()) {
            for (int i = 0; i < s.warmup(); i++) step.run();
            long allocatedBefore = allocatedBytes(); // once warm: the steady state, not the JIT's first passes
            trainMs = median(time(step, 0, s.repeats()));
            allocatedMb = (allocatedBytes() - allocatedBefore) / 1e6 / s.repeats();
        }
        double flops = last[0] == null ? Double.NaN : MatmulFlops.trainStep(c, b, t, last[0].assignments());

        Map<String, double[]> profile = null;
        double profileStepMs = Double.NaN;
        if (s.profile() && !s.generationOnly()) {
            Profiler.enable(true);
            int steps = Math.max(3, s.repeats() / 2);
            long p0 = System.nanoTime();
            for (int i = 0; i < steps; i++) step.run();
            profileStepMs = (System.nanoTime() - p0) / 1e6 / steps;
            profile = new java.util.LinkedHashMap<>();
            for (var e : Profiler.totals().entrySet()) {
                profile.put(e.getKey(), new double[] {e.getValue()[0] / 1e6 / steps, e.getValue()[1] / 1e6 / steps});
            }
            Profiler.enable(false);
        }
        loader.shutdownNow();

        double forwardMs;
        double encodeMs;
        double ttftMs;
        double tokensPerS;
        try (var g = GradMode.noGrad()) {
            forwardMs = s.generationOnly() ? Double.NaN
                    : median(time(() -> {
                        try (StepArena arena = StepArena.open(pool)) { // as the Evaluator runs a batch: pooled activations
                            model.forward(images, tokens, b, ForwardContext.inference());
                        }
                    }, s.warmup(), s.repeats()));
            Tensor one = Tensor.of(Arrays.copyOf(images.toArray(), 3 * c.imageSize() * c.imageSize()), 1, 3, c.imageSize(), c.imageSize());
            encodeMs = median(time(() -> model.visualTokens(one, ForwardContext.inference()), s.warmup(), s.repeats()));
            double[] ttft = new double[s.repeats()], rate = new double[s.repeats()];
            for (int r = -s.warmup(); r < s.repeats(); r++) {
                long t0 = System.nanoTime();
                Tensor visual = model.visualTokens(one, ForwardContext.inference());
                int capacity = Math.min(c.maxPositions(), c.numVisualTokens() + 1 + s.newTokens());
                LanguageModel.Decoding decoding = model.language().newDecoding(1, capacity);
                Tensor prefill = decoding.forward(visual, new int[] {1});
                int[] next = {argmax(prefill.data(), prefill.offset() + (prefill.dim(1) - 1) * c.vocabSize(), c.vocabSize())};
                long t1 = System.nanoTime();
                int produced = 1;
                while (produced < s.newTokens() && decoding.length() < capacity) {
                    next[0] = argmax(decoding.step(next), 0, c.vocabSize());
                    produced++;
                }
                long t2 = System.nanoTime();
                if (r >= 0) {
                    ttft[r] = (t1 - t0) / 1e6;
                    rate[r] = (produced - 1) / ((t2 - t1) / 1e9);
                }
            }
            ttftMs = median(ttft);
            tokensPerS = median(rate);
        }
        long tokensPerStep = (long) b * (c.numVisualTokens() + t);
        double stepSeconds = trainMs / 1e3;
        return new Result(trainMs, flops, flops / stepSeconds / 1e9, tokensPerStep, tokensPerStep / stepSeconds, allocatedMb, forwardMs, encodeMs,
                tokensPerS, ttftMs, peakRssMb(), profile, profileStepMs);
    }

    /** One step's random batch, a pure function of its index: images (B, 3, S, S), tokens and targets (B*T). */
    private static Batch randomBatch(VlmConfig c, int b, int t, int index) {
        Rng r = new Rng(1000L + index);
        Tensor images = Tensor.of(r.uniform(b * 3 * c.imageSize() * c.imageSize(), -2f, 2f), b, 3, c.imageSize(), c.imageSize());
        int[] tokens = new int[b * t], targets = new int[b * t];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(c.vocabSize());
            targets[i] = r.nextInt(c.vocabSize());
        }
        return Batch.of(images, tokens, targets, b);
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("making a batch failed", e.getCause());
        }
    }

    private static int argmax(float[] logits, int base, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) if (logits[base + i] > logits[base + best]) best = i;
        return best;
    }

    private static double[] time(Runnable r, int warmup, int repeats) {
        for (int i = 0; i < warmup; i++) r.run();
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Bytes allocated on the heap so far by all threads (-1 where the JVM cannot tell). */
    static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) {
            return threads.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** The process's peak resident set (VmHWM), or -1 where /proc is not available. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
