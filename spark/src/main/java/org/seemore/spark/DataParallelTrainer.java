package org.seemore.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.seemore.UserException;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ForwardContext;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Vlm;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.train.AdamW;
import org.seemore.train.MetricsLog;
import org.seemore.train.TrainSettings;
import org.seemore.train.Trainer;
import org.seemore.train.TrainingState;
import org.seemore.train.TrainingStep;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * The driver of data-parallel training on Spark. Each round broadcasts the trainable parameters and runs
 * one task per worker ({@link DataParallelWorker}); then
 * <ul>
 * <li>synchronous ({@code syncEvery == 1}): the workers' gradients of loss/W are summed in worker order and
 *     the core's {@link TrainingStep#update} clips and applies AdamW, so a step equals single-process
 *     training with {@code gradAccumulation = W} on the same micro-batches, within float rounding;</li>
 * <li>local SGD as in DiLoCo (Douillard et al. 2023; {@code syncEvery = K > 1}): each worker takes K AdamW
 *     steps alone, the driver averages the parameter deltas and applies them with an outer Nesterov
 *     momentum step (lr 0.7, momentum 0.9 as in the paper).</li>
 * </ul>
 * The driver writes the run directory as {@link Trainer} does: checkpoints (weights and
 * {@link TrainingState}), {@code metrics.jsonl} and plots; {@code resume} continues from the last one.
 */
public final class DataParallelTrainer {
    /**
     * @param workers      W, tasks per round
     * @param syncEvery    K: 1 is synchronous gradient averaging, more is local SGD with an outer step every K
     * @param outerLr      DiLoCo's outer learning rate
     * @param outerMomentum DiLoCo's outer Nesterov momentum
     */
    public record Settings(int workers, int syncEvery, double outerLr, double outerMomentum) {
        public Settings {
            if (workers < 1) throw new UserException("--workers must be at least 1, got " + workers);
            if (syncEvery < 1) throw new UserException("--sync-every must be at least 1, got " + syncEvery);
        }
    }

    /** One round's cost: wall time, the slowest worker's compute, and bytes moved (broadcast + results). */
    public record RoundStats(long step, double seconds, double computeSeconds, long bytes) {}

    /** How the run ended. */
    public record Summary(long steps, double finalLoss, List<RoundStats> rounds) {}

    private DataParallelTrainer() {}

    /**
     * Trains {@code model} to {@code settings.steps()} on the cluster of {@code spark}.
     *
     * @param job what the workers rebuild the run from (see {@link #job})
     */
    public static Summary run(JavaSparkContext spark, Path runDir, Vlm model, CharTokenizer tokenizer, TrainSettings settings,
                              Settings parallel, DataParallelWorker.Job job, boolean resume, Trainer.Listener listener) {
        try {
            java.nio.file.Files.createDirectories(runDir);
        } catch (java.io.IOException e) {
            throw new UserException(runDir + ": cannot create the run directory: " + e.getMessage());
        }
        Map<String, Tensor> params = model.parameters();
        params.forEach((name, t) -> t.requiresGrad(settings.stage().trains(name)));
        List<Tensor> trainable = params.entrySet().stream().filter(e -> settings.stage().trains(e.getKey())).map(Map.Entry::getValue).toList();
        AdamW optimizer = new AdamW(params, new AdamW.Settings(0.9, 0.95, 1e-8, settings.weightDecay()));
        TrainingStep update = new TrainingStep(model, optimizer, ForwardContext.inference(),
                new TrainingStep.Settings(settings.schedule(), settings.clipNorm(), parallel.workers()), null);
        Rng rng = new Rng(settings.seed() ^ 0x5EEC0DEL);
        MetricsLog metrics = new MetricsLog(runDir);
        List<float[]> momentum = new ArrayList<>();
        for (Tensor t : trainable) momentum.add(new float[t.size()]);
        long step = 0;
        if (resume) {
            step = ModelDirectory.loadWeights(runDir.resolve(ModelDirectory.WEIGHTS), model, n -> true);
            if (step < 0) throw new UserException(runDir.resolve(ModelDirectory.WEIGHTS) + ": has no training step; cannot resume");
            TrainingState.restore(runDir, step, optimizer, rng);
            if (parallel.syncEvery() > 1) DiLoCoState.restoreOuter(runDir, momentum);
            metrics.truncateAfter(step).ifPresent(listener::onNotice);
        } else {
            ModelDirectory.writeConfig(runDir, model.config(), tokenizer);
            metrics.reset();
        }
        boolean diloco = parallel.syncEvery() > 1;
        DataParallelWorker.InnerState[] inner = resume && diloco ? DiLoCoState.readInner(runDir, step, parallel.workers(), trainable.size()) : null;
        if (resume && diloco && inner == null) listener.onNotice("no saved inner optimizer state for step " + step + "; the workers start their AdamW moments afresh");
        String[] locations = new String[parallel.workers()];
        long lastCheckpoint = step;
        List<RoundStats> rounds = new ArrayList<>();
        double lastLoss = Double.NaN;
        RoundWatcher watcher = new RoundWatcher(listener::onNotice);
        spark.sc().addSparkListener(watcher);
        try {
            while (step < settings.steps()) {
                int k = (int) Math.min(parallel.syncEvery(), settings.steps() - step);
                long next = step + k;
                boolean checkpoint = next == settings.steps() || (settings.checkpointEvery() > 0 && next % settings.checkpointEvery() < k);
                double[] lrs = new double[k];
                for (int i = 0; i < k; i++) lrs[i] = settings.schedule().at(step + i);
                DataParallelWorker.Round round = new DataParallelWorker.Round(step, lrs, !diloco, diloco && checkpoint);
                long t0 = System.nanoTime();
                float[][] values = new float[trainable.size()][];
                long floats = 0;
                for (int i = 0; i < values.length; i++) {
                    values[i] = trainable.get(i).toArray();
                    floats += values[i].length;
                }
                Broadcast<float[][]> shipped = spark.broadcast(values);
                spark.setLocalProperty(RoundWatcher.ROUND, Long.toString(step));
                List<DataParallelWorker.Result> results;
                try {
                    results = new ArrayList<>(tasks(spark, inner, locations).map(t -> DataParallelWorker.run(job, round, t, shipped.value())).collect());
                } catch (Exception e) { // SparkException (checked, undeclared): Spark gave up on a task (spark.task.maxFailures) or lost its cluster
                    throw stopped(e, step, lastCheckpoint, runDir);
                }
                spark.setLocalProperty(RoundWatcher.ROUND, null);
                shipped.destroy();
                inner = null;
                results.sort(Comparator.comparingInt(DataParallelWorker.Result::worker));
                for (DataParallelWorker.Result r : results) {
                    locations[r.worker()] = r.location();
                    if (r.innerRestarted()) listener.onNotice("round at step " + step + ": worker " + r.worker() + " ran on an executor without its inner optimizer state (a lost executor); its AdamW moments start afresh");
                }
                double norm = round.sync() ? applyGradients(trainable, results, update, step) : applyOuterStep(trainable, results, momentum, parallel);
                step = next;
                double seconds = (System.nanoTime() - t0) / 1e9;
                double compute = results.stream().mapToDouble(DataParallelWorker.Result::computeSeconds).max().orElse(0);
                rounds.add(new RoundStats(step, seconds, compute, 4 * floats * (1 + parallel.workers())));
                lastLoss = logStep(results, round, step, lrs[k - 1], norm, seconds, parallel, metrics, listener);
                if (checkpoint) {
                    TrainingState.write(runDir, step, step * parallel.workers(), optimizer, rng);
                    if (diloco) {
                        DiLoCoState.writeOuter(runDir, step, momentum);
                        DiLoCoState.writeInner(runDir, step, results.stream().map(DataParallelWorker.Result::inner).toArray(DataParallelWorker.InnerState[]::new));
                    }
                    ModelDirectory.writeWeights(runDir, model, step);
                    TrainingState.prune(runDir, step);
                    metrics.plot();
                    listener.onCheckpoint(step);
                    lastCheckpoint = step;
                }
            }
        } finally {
            spark.sc().removeSparkListener(watcher);
        }
        return new Summary(step, lastLoss, rounds);
    }

    /** A failed round as one line: an executor's own user error as it is, else what Spark said and where to resume from. */
    private static UserException stopped(Exception e, long step, long lastCheckpoint, Path runDir) {
        for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof UserException user) return user;
        String why = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse(e.getClass().getSimpleName());
        return new UserException("round at step " + step + " failed: " + why + "; " + (lastCheckpoint > 0
                ? "the last checkpoint is step " + lastCheckpoint + ": continue with --resume --out " + runDir
                : "no checkpoint was written yet"), e);
    }

    /**
     * A round's tasks, one partition per worker in worker order, each preferring the executor that ran the
     * worker last (where its DiLoCo inner state lives); Spark falls back to another executor after its
     * locality wait when that one is gone.
     */
    private static JavaRDD<DataParallelWorker.Task> tasks(JavaSparkContext spark, DataParallelWorker.InnerState[] inner, String[] locations) {
        List<Tuple2<DataParallelWorker.Task, Seq<String>>> items = new ArrayList<>();
        for (int w = 0; w < locations.length; w++) {
            List<String> preferred = locations[w] == null ? List.of() : List.of(locations[w]);
            items.add(new Tuple2<>(new DataParallelWorker.Task(w, inner == null ? null : inner[w]), CollectionConverters.asScala(preferred).toSeq()));
        }
        return spark.sc().makeRDD(CollectionConverters.asScala(items).toSeq(), ClassTag$.MODULE$.apply(DataParallelWorker.Task.class)).toJavaRDD();
    }

    /** Logs the round as one step of metrics (losses averaged over workers, throughput over the round's wall time); returns the loss. */
    private static double logStep(List<DataParallelWorker.Result> results, DataParallelWorker.Round round, long step, double lr, double norm,
                                  double seconds, Settings parallel, MetricsLog metrics, Trainer.Listener listener) {
        double loss = 0, ce = 0, aux = 0;
        long tokens = 0;
        double[][] load = null;
        double share = round.sync() ? 1 : 1.0 / parallel.workers(); // sync losses and loads are already shares of 1/W
        for (DataParallelWorker.Result r : results) {
            loss += r.loss() * share; ce += r.ce() * share; aux += r.aux() * share; tokens += r.tokens();
            load = addLoad(load, r.expertLoad(), share);
        }
        Trainer.StepMetrics sm = new Trainer.StepMetrics(step, loss, ce, aux, lr, norm, tokens / seconds, load);
        metrics.step(sm);
        listener.onStep(sm);
        return loss;
    }

    /** The gradients summed in worker order become the parameters' gradients; the core's update applies them. */
    private static double applyGradients(List<Tensor> trainable, List<DataParallelWorker.Result> results, TrainingStep update, long step) {
        for (int i = 0; i < trainable.size(); i++) {
            Tensor p = trainable.get(i);
            p.recycleGrad();
            float[] sum = null;
            for (DataParallelWorker.Result r : results) {
                float[] g = r.values()[i];
                if (g == null) continue;
                if (sum == null) {
                    sum = p.gradBuffer();
                    System.arraycopy(g, 0, sum, 0, g.length);
                } else {
                    for (int j = 0; j < g.length; j++) sum[j] += g[j];
                }
            }
        }
        return update.update(step);
    }

    /**
     * DiLoCo's outer step: the outer gradient is the global parameters minus the workers' mean; Nesterov
     * momentum as torch.optim.SGD: {@code m = mu*m + g; p -= lr*(g + mu*m)}. Returns the outer gradient's norm.
     */
    private static double applyOuterStep(List<Tensor> trainable, List<DataParallelWorker.Result> results, List<float[]> momentum, Settings s) {
        float mu = (float) s.outerMomentum(), lr = (float) s.outerLr(), inv = 1f / results.size();
        double sq = 0;
        for (int i = 0; i < trainable.size(); i++) {
            float[] w = trainable.get(i).data(), m = momentum.get(i);
            int off = trainable.get(i).offset();
            for (int j = 0; j < m.length; j++) {
                float mean = 0;
                for (DataParallelWorker.Result r : results) mean += r.values()[i][j];
                float g = w[off + j] - mean * inv;
                sq += (double) g * g;
                m[j] = mu * m[j] + g;
                w[off + j] -= lr * (g + mu * m[j]);
            }
        }
        return Math.sqrt(sq);
    }

    private static double[][] addLoad(double[][] sum, double[][] load, double weight) {
        if (load == null) return sum;
        if (sum == null) sum = new double[load.length][load[0].length];
        for (int l = 0; l < load.length; l++) for (int e = 0; e < load[l].length; e++) sum[l][e] += load[l][e] * weight;
        return sum;
    }

    /** The job the workers rebuild the run from. */
    public static DataParallelWorker.Job job(Vlm model, CharTokenizer tokenizer, TrainSettings settings, String data,
                                             String format, int syntheticCount, int workers, boolean noise) {
        String key = Long.toHexString(System.nanoTime()) + "-" + Long.toHexString(settings.seed());
        return new DataParallelWorker.Job(key, model.config().toJson(), DataParallelWorker.tokenizerBytes(tokenizer), data, format,
                syntheticCount, settings.batchSize(), settings.seed(), workers, settings.stage().name(), settings.clipNorm(),
                settings.weightDecay(), noise);
    }
}
