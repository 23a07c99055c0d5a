package org.seemore.cli;

import java.util.ArrayDeque;
import java.util.OptionalDouble;

/**
 * Training speed over the recent past, for the progress bar's ETA. The first step is slow (the JIT
 * compiles the kernels, buffers are allocated), so it only marks where measuring starts: no rate is
 * given until {@link #WARMUP_STEPS} more steps and {@link #WARMUP_SECONDS} seconds have passed
 * after it. From then on the rate is taken over the last {@link #WINDOW_SECONDS} seconds (at most
 * {@link #MAX_SAMPLES} steps; early on, over the later half of the time since the first step), so
 * the ETA follows the current speed, and the pause of an evaluation or a checkpoint moves it only
 * for a while.
 *
 * <p>Steps are recorded by the training thread and the rate is read by the progress bar's thread.
 */
final class StepRate {
    static final int WARMUP_STEPS = 10;
    static final double WARMUP_SECONDS = 5.0;
    static final double WINDOW_SECONDS = 60.0;
    static final int MAX_SAMPLES = 1000;

    private record Sample(long step, long nanos) {}

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private Sample first;

    /** Records that {@code step} ended at {@code nanos} (a {@link System#nanoTime()} reading). */
    synchronized void record(long step, long nanos) {
        Sample sample = new Sample(step, nanos);
        if (first == null) first = sample;
        samples.addLast(sample);
        long window = (long) (WINDOW_SECONDS * 1e9);
        while (samples.size() > 2 && (samples.size() > MAX_SAMPLES || nanos - samples.getFirst().nanos() > window)) {
            samples.removeFirst();
        }
    }

    /**
     * Steps per second over the recent past, or empty during the warm-up. The past is the shortest
     * run of recorded steps that spans the window, or half the time since the first step if that is
     * shorter: the steps just after the first are still slow, and early on they would otherwise
     * weigh on the rate for a whole window.
     */
    synchronized OptionalDouble stepsPerSecond() {
        if (first == null) return OptionalDouble.empty();
        Sample last = samples.getLast();
        boolean warm = last.step() - first.step() >= WARMUP_STEPS && (last.nanos() - first.nanos()) / 1e9 >= WARMUP_SECONDS;
        long window = Math.min((long) (WINDOW_SECONDS * 1e9), (last.nanos() - first.nanos()) / 2);
        Sample oldest = samples.getFirst();
        for (Sample sample : samples) {
            if (last.nanos() - sample.nanos() < window) break;
            oldest = sample;
        }
        double seconds = (last.nanos() - oldest.nanos()) / 1e9;
        if (!warm || !(seconds > 0) || last.step() <= oldest.step()) return OptionalDouble.empty();
        return OptionalDouble.of((last.step() - oldest.step()) / seconds);
    }
}
