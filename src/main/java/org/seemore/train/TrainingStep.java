package org.seemore.train;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.seemore.UserException;
import org.seemore.model.ForwardContext;
import org.seemore.model.Vlm;
import org.seemore.model.moe.SparseMoe;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Profiler;
import org.seemore.tensor.StepArena;
import org.seemore.tensor.Tensor;

/**
 * One optimizer step, the only one: {@code train}, {@code bench train}, the train mode of
 * {@code parity} and the tests all run it, so the benchmark times what training runs.
 *
 * <p>A step: drop the parameters' gradients; for each of A micro-batches, forward, loss, and backward
 * of loss/A (the gradients sum to those of the mean of the micro-batch means); clip the global
 * gradient norm; one AdamW update at the schedule's rate. With a {@link BufferPool}, the step's
 * activations and gradients are leased from it in a {@link StepArena} and go back when the step ends.
 *
 * <p>With the {@link Profiler} on, the wait for each micro-batch is charged to "data" and clipping
 * plus the update to "optimizer"; the model's own scopes cover the rest.
 */
public final class TrainingStep {

    /**
     * How a step trains.
     *
     * @param schedule         the learning rate at each step
     * @param clipNorm         the global gradient-norm clip
     * @param gradAccumulation micro-batches per step (A)
     */
    public record Settings(LrSchedule schedule, double clipNorm, int gradAccumulation) {
        public Settings {
            if (schedule == null) throw new IllegalArgumentException("a step needs a learning-rate schedule");
            if (!(clipNorm > 0)) throw new IllegalArgumentException("the gradient clip must be positive, got " + clipNorm);
            if (gradAccumulation <= 0) throw new IllegalArgumentException("gradient accumulation must be positive, got " + gradAccumulation);
        }

        /** The step of a training run with these settings. */
        public static Settings of(TrainSettings run) {
            return new Settings(run.schedule(), run.clipNorm(), run.gradAccumulation());
        }
    }

    /**
     * What a step reports, as plain numbers read before its arena released its tensors. Losses are
     * means over the micro-batches of each micro-batch's mean.
     *
     * @param loss       the objective: ce + weighted aux (+ weighted z-loss)
     * @param ce         cross-entropy
     * @param aux        the load-balancing loss (unweighted)
     * @param zLoss      the router z-loss (unweighted), 0 when the model computes none
     * @param gradNorm   the global gradient norm before clipping
     * @param lr         the learning rate of the update
     * @param tokens     positions the step ran (visual + text, padding included)
     * @param expertLoad {@code [layer][expert]}: the expert's share of the routed assignments
     * @param assignments routed (token, expert) assignments kept, summed over layers and micro-batches
     * @param peakLeasedBytes the most pooled memory the step held at once (0 without a pool)
     */
    public record Result(double loss, double ce, double aux, double zLoss, double gradNorm, double lr, long tokens,
                         double[][] expertLoad, long assignments, long peakLeasedBytes) {}

    /** A micro-batch's loss is NaN or infinite: the step stopped before its backward pass and the update. */
    public static final class NonFiniteLossException extends UserException {
        private final long step;
        private final float loss;

        NonFiniteLossException(long step, float loss) {
            super("step " + (step + 1) + ": the loss is " + loss);
            this.step = step;
            this.loss = loss;
        }

        /** The optimizer step it happened in, counted from 0. */
        public long step() { return step; }

        public float loss() { return loss; }
    }

    private final Vlm model;
    private final Collection<Tensor> parameters;
    private final AdamW optimizer;
    private final ForwardContext context;
    private final Settings settings;
    private final BufferPool pool;

    /**
     * @param context how the forward passes run: {@link ForwardContext#training} (dropout, routing noise) for
     *                training; parity runs a reference dump's deterministic steps with {@link ForwardContext#inference}
     * @param pool    recycles each step's activations and gradients; null allocates them plainly
     */
    public TrainingStep(Vlm model, AdamW optimizer, ForwardContext context, Settings settings, BufferPool pool) {
        this.model = model;
        this.parameters = model.parameters().values();
        this.optimizer = optimizer;
        this.context = context;
        this.settings = settings;
        this.pool = pool;
    }

    /**
     * Runs optimizer step {@code step} (counted from 0; it picks the learning rate) on the next
     * {@code gradAccumulation} micro-batches of {@code microBatches}: {@link #accumulate} them all, then {@link #update}.
     *
     * @throws NonFiniteLossException when a micro-batch's loss is not finite (the parameters are then unchanged)
     */
    public Result run(long step, Supplier<Batch> microBatches) {
        // dropped, not zeroed: a parameter that gets no gradient this step (an idle expert) then has
        // none, and AdamW skips it as PyTorch skips a None gradient (its buffer is kept for the next)
        for (Tensor p : parameters) p.recycleGrad();
        try (StepArena arena = pool == null ? null : StepArena.open(pool)) {
            Result gradients = accumulate(step, microBatches, settings.gradAccumulation());
            double norm = update(step);
            return new Result(gradients.loss(), gradients.ce(), gradients.aux(), gradients.zLoss(), norm, gradients.lr(),
                    gradients.tokens(), gradients.expertLoad(), gradients.assignments(), arena == null ? 0 : arena.peakLeasedBytes());
        }
    }

    /**
     * The first half of a step: forward, loss and backward of loss/A (A = {@code gradAccumulation}) for
     * the next {@code count} micro-batches, the gradients adding up in the parameters. A data-parallel
     * worker runs its share of a step's A micro-batches here (with no pool, so that the gradients outlive
     * the call); the sum of the workers' gradients is then what one process accumulates over all A.
     * Losses in the result are summed contributions of x/A, so the workers' add up to the step's means;
     * its gradient norm is NaN (the update computes it).
     */
    public Result accumulate(long step, Supplier<Batch> microBatches, int count) {
        int accum = settings.gradAccumulation();
        int layers = model.config().language().layers(), experts = model.config().language().numExperts();
        double loss = 0, ce = 0, aux = 0, zLoss = 0;
        long tokens = 0, assignments = 0;
        double[][] load = new double[layers][experts];
        for (int micro = 0; micro < count; micro++) {
            long d0 = System.nanoTime();
            Batch batch = microBatches.get();
            if (Profiler.enabled()) Profiler.add("data", System.nanoTime() - d0, 0);
            Vlm.Output out = model.forward(batch.images(), batch.tokens(), batch.size(), context);
            Vlm.Loss l = model.loss(out, batch.targets(), batch.size());
            float value = l.total().item();
            if (!Float.isFinite(value)) throw new NonFiniteLossException(step, value);
            // read before the backward pass, which releases the forward tensors in an arena
            loss += value / accum;
            ce += l.ce().item() / accum;
            aux += l.aux().item() / accum;
            if (out.zLoss() != null) zLoss += out.zLoss().item() / accum;
            for (int layer = 0; layer < layers; layer++) {
                int[] counts = out.moe().get(layer).expertTokens();
                double total = 0;
                for (int c : counts) total += c;
                for (int e = 0; e < experts; e++) load[layer][e] += counts[e] / total / accum;
                assignments += (long) total;
            }
            tokens += (long) batch.size() * (batch.length() + model.config().numVisualTokens());
            Elementwise.scale(l.total(), 1f / accum).backward();
        }
        return new Result(loss, ce, aux, zLoss, Double.NaN, settings.schedule().at(step), tokens, load, assignments, 0);
    }

    /**
     * The second half of step {@code step}: clip the global norm of the gradients in the parameters,
     * one AdamW update at the schedule's rate. Returns the norm before clipping.
     */
    public double update(long step) {
        long t0 = System.nanoTime();
        double norm = AdamW.clipGradNorm(parameters, settings.clipNorm());
        optimizer.step(settings.schedule().at(step));
        if (Profiler.enabled()) Profiler.add("optimizer", System.nanoTime() - t0, 0);
        return norm;
    }

    /** The micro-batches of {@code batches} in turn, over and over (a fixed set, as a reference dump's). */
    public static Supplier<Batch> cycling(List<Batch> batches) {
        if (batches.isEmpty()) throw new IllegalArgumentException("no micro-batches");
        int[] next = {0};
        return () -> batches.get(next[0]++ % batches.size());
    }
}
