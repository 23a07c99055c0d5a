package org.seemore.train;

/**
 * How a run trains. Defaults live in {@link #defaults()} only.
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
    }

    public static TrainSettings defaults() {
        return new TrainSettings(1000, 32, 1, 1e-3, 0.1, 50, 0.1, 1.0, 250, 200, 500, 1337, Stage.FULL);
    }

    public LrSchedule schedule() {
        return LrSchedule.warmupCosine(lr, lr * minLrRatio, warmupSteps, steps);
    }
}
