package org.seemore.train;

/** The learning rate at each optimizer step. */
@FunctionalInterface
public interface LrSchedule {
    double at(long step);

    /**
     * Linear warm-up from 0 to {@code peak} over {@code warmup} steps, then cosine decay to
     * {@code floor} at {@code total} steps (and {@code floor} after), as nanoGPT schedules it.
     */
    static LrSchedule warmupCosine(double peak, double floor, long warmup, long total) {
        if (peak <= 0 || floor < 0 || floor > peak) throw new IllegalArgumentException("need 0 <= floor <= peak and peak > 0");
        if (warmup < 0 || total <= 0) throw new IllegalArgumentException("warm-up must be >= 0 and total steps > 0");
        return step -> {
            if (step < warmup) return peak * (step + 1) / (warmup + 1);
            if (step >= total) return floor;
            double progress = (double) (step - warmup) / Math.max(1, total - warmup);
            return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
        };
    }

    static LrSchedule constant(double lr) {
        return step -> lr;
    }
}
