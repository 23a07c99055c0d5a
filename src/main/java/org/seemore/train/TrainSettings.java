package org.seemore.train;

/**
 * How a run trains. Built by name ({@code TrainSettings.builder().steps(500).lr(3e-4).build()});
 * the defaults live in {@link Builder}'s fields only, and {@code seemore train}'s flags take theirs
 * from {@link #defaults()}.
 *
 * @param steps           optimizer steps
 * @param batchSize       examples per micro-batch
 * @param gradAccumulation micro-batches per optimizer step
 * @param lr              peak learning rate
 * @param minLrRatio      the cosine schedule's floor as a fraction of lr
 * @param warmupSteps     linear warm-up steps
 * @param weightDecay     AdamW's decoupled decay (parameters with >= 2 dims)
 * @param clipNorm        global gradient-norm clip
 * @param evalEvery       steps between evaluations (0: only at the end)
 * @param evalLimit       validation records captioned per evaluation
 * @param checkpointEvery steps between checkpoints (0: only at the end)
 * @param seed            seeds data order, initialization, dropout and routing noise
 * @param stage           which components train
 */
public record TrainSettings(int steps, int batchSize, int gradAccumulation, double lr, double minLrRatio,
                            int warmupSteps, double weightDecay, double clipNorm, int evalEvery, int evalLimit,
                            int checkpointEvery, long seed, Stage stage) {
    public TrainSettings {
        if (steps <= 0) throw new IllegalArgumentException("--steps must be positive");
        if (batchSize <= 0) throw new IllegalArgumentException("--batch-size must be positive");
        if (gradAccumulation <= 0) throw new IllegalArgumentException("--grad-accum must be positive");
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be positive");
        if (minLrRatio < 0 || minLrRatio > 1) throw new IllegalArgumentException("the minimum lr ratio must be in [0, 1]");
        if (warmupSteps < 0) throw new IllegalArgumentException("--warmup must be >= 0");
        if (evalEvery < 0 || checkpointEvery < 0 || evalLimit < 0) throw new IllegalArgumentException("--eval-every, --eval-limit and --checkpoint-every must be >= 0");
        // no flag sets the clip (the commands fix it at 1.0), so the message names the setting, not a flag
        if (!(clipNorm > 0)) throw new IllegalArgumentException("the global gradient-norm clip must be positive, got " + clipNorm);
        if (stage == null) throw new IllegalArgumentException("--stage must be given");
    }

    /** The settings of {@code seemore train} when no flag is given. */
    public static TrainSettings defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().steps(steps).batchSize(batchSize).gradAccumulation(gradAccumulation).lr(lr).minLrRatio(minLrRatio)
                .warmupSteps(warmupSteps).weightDecay(weightDecay).clipNorm(clipNorm).evalEvery(evalEvery).evalLimit(evalLimit)
                .checkpointEvery(checkpointEvery).seed(seed).stage(stage);
    }

    public LrSchedule schedule() {
        return LrSchedule.warmupCosine(lr, lr * minLrRatio, warmupSteps, steps);
    }

    /** Settings by name; its initial values are the defaults, the only place they are written. */
    public static final class Builder {
        private int steps = 1000;
        private int batchSize = 32;
        private int gradAccumulation = 1;
        private double lr = 1e-3;
        private double minLrRatio = 0.1;
        private int warmupSteps = 50;
        private double weightDecay = 0.1;
        private double clipNorm = 1.0;
        private int evalEvery = 250;
        private int evalLimit = 200;
        private int checkpointEvery = 250;
        private long seed = 1337;
        private Stage stage = Stage.FULL;

        private Builder() {}

        public Builder steps(int value) { steps = value; return this; }

        public Builder batchSize(int value) { batchSize = value; return this; }

        public Builder gradAccumulation(int value) { gradAccumulation = value; return this; }

        public Builder lr(double value) { lr = value; return this; }

        public Builder minLrRatio(double value) { minLrRatio = value; return this; }

        public Builder warmupSteps(int value) { warmupSteps = value; return this; }

        public Builder weightDecay(double value) { weightDecay = value; return this; }

        public Builder clipNorm(double value) { clipNorm = value; return this; }

        public Builder evalEvery(int value) { evalEvery = value; return this; }

        public Builder evalLimit(int value) { evalLimit = value; return this; }

        public Builder checkpointEvery(int value) { checkpointEvery = value; return this; }

        public Builder seed(long value) { seed = value; return this; }

        public Builder stage(Stage value) { stage = value; return this; }

        /** The settings, validated: an IllegalArgumentException names the flag that is wrong. */
        public TrainSettings build() {
            return new TrainSettings(steps, batchSize, gradAccumulation, lr, minLrRatio, warmupSteps, weightDecay, clipNorm,
                    evalEvery, evalLimit, checkpointEvery, seed, stage);
        }
    }
}
