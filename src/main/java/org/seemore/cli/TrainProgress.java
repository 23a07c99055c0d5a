package org.seemore.cli;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.seemore.train.Evaluator;
import org.seemore.train.Trainer;

/**
 * The terminal progress bar of a training run, redrawn in place twice a second:
 * <pre>
 *  45% [========>          ] 2250/5000  ETA  0:04:00  11.5 steps/s  loss 0.1235  val 0.1121 exact  98%
 * </pre>
 * Every field has a fixed width, so the line keeps its length as the numbers change (a shorter
 * line would leave the end of the previous one on screen, a longer one wrap), and the bar takes the
 * room that is left. The ETA comes from the recent speed ({@link StepRate}) and reads
 * {@code -:--:--} until the warm-up is over: an estimate from the first, JIT-cold steps is hours
 * off. The validation fields stay blank until the first evaluation.
 */
final class TrainProgress implements Trainer.Listener, AutoCloseable {
    /** Longest line drawn; the consumer cuts anything longer. */
    static final int MAX_WIDTH = 100;
    static final int MIN_BAR = 10;
    static final int MAX_BAR = 30;

    private final ProgressBar bar;
    private final StepRate rate = new StepRate();
    private final LongSupplier clock;
    private volatile OptionalDouble loss = OptionalDouble.empty();
    private volatile Evaluator.Result lastEvaluation;
    private boolean closed;

    TrainProgress(long steps) {
        this(steps, System::nanoTime);
    }

    TrainProgress(long steps, LongSupplier clock) {
        this.clock = clock;
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).setUpdateIntervalMillis(500)
                // The bar's thread may render before the constructor returns: read its state, not this.bar.
                .setRenderer((state, maxLength) -> line(state.getCurrent(), state.getMax(), Math.min(maxLength, MAX_WIDTH)))
                .setConsumer(new ConsoleProgressBarConsumer(System.err, MAX_WIDTH)).build();
    }

    /** The line for {@code step} of {@code max} with the figures seen so far. */
    String line(long step, long max, int width) {
        return line(step, max, rate.stepsPerSecond(), loss, lastEvaluation, width);
    }

    /** The line as it would be drawn now. */
    String currentLine(int width) {
        return line(bar.getCurrent(), bar.getMax(), width);
    }

    @Override
    public void onStep(Trainer.StepMetrics m) {
        rate.record(m.step(), clock.getAsLong());
        loss = OptionalDouble.of(m.loss());
        bar.stepTo(m.step());
    }

    @Override
    public void onEvaluation(long step, Evaluator.Result r) {
        lastEvaluation = r;
        bar.refresh();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bar.close();
        }
    }

    /**
     * One progress line. Its length depends only on {@code max} and {@code width}, never on the
     * other values: {@code width} while the bar is narrower than {@link #MAX_BAR} (it is in 100
     * columns), shorter on wider consoles; without a bar if the text alone nearly fills the width.
     *
     * @param stepsPerSecond the recent speed, empty while warming up
     * @param loss           the last step's loss, empty before the first step
     * @param lastEvaluation null before the first evaluation
     */
    static String line(long step, long max, OptionalDouble stepsPerSecond, OptionalDouble loss, Evaluator.Result lastEvaluation,
            int width) {
        int digits = Long.toString(Math.max(max, 1)).length();
        String percent = String.format(Locale.ROOT, "%3d%%", max > 0 ? Math.min(100, 100 * step / max) : 0);
        String steps = String.format(Locale.ROOT, "%" + digits + "d/%d", step, max);
        String eta = "ETA " + pad(stepsPerSecond.isPresent() && step <= max
                ? duration((max - step) / stepsPerSecond.getAsDouble()) : "-:--:--", 8);
        String speed = pad(stepsPerSecond.isPresent() ? number(stepsPerSecond.getAsDouble(), 4) : "-", 4) + " steps/s";
        String losses = "loss " + (loss.isPresent() ? number(loss.getAsDouble(), 6) : pad("-", 6)) + "  "
                + (lastEvaluation == null ? " ".repeat(21) : "val " + number(lastEvaluation.loss(), 6) + " exact "
                        + pad(String.format(Locale.ROOT, "%.0f%%", 100 * lastEvaluation.exactMatch()), 4));
        String text = steps + "  " + eta + "  " + speed + "  " + losses;
        int barWidth = Math.min(MAX_BAR, width - percent.length() - text.length() - 4);
        // Too narrow for a bar: the text alone, padded, or cut at the end by the console consumer.
        if (barWidth < MIN_BAR) return pad(percent + " " + text, -width);
        return percent + " [" + bar(step, max, barWidth) + "] " + text;
    }

    /** "=====>    ": the done part of {@code width} cells, with an arrow head while running. */
    static String bar(long step, long max, int width) {
        int done = max > 0 ? (int) Math.min(width, width * Math.max(0, step) / max) : 0;
        if (done == width) return "=".repeat(width);
        return "=".repeat(done) + (step > 0 ? ">" : " ") + " ".repeat(width - done - 1);
    }

    /** "0:04:12", "12:00:00"; "&gt;99h" from 100 hours on. */
    static String duration(double seconds) {
        if (!(seconds >= 0)) return "-:--:--";
        long s = Math.round(seconds);
        if (s >= 100 * 3600) return ">99h";
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /**
     * {@code value} in at most {@code width} characters, right-aligned to exactly {@code width}:
     * as many decimals as fit ("0.1234", "12.345", "1234"), then powers of ten.
     */
    static String number(double value, int width) {
        if (Double.isNaN(value)) return pad("NaN", width);
        if (Double.isInfinite(value)) return pad(value > 0 ? "Inf" : "-Inf", width);
        for (int decimals = width - 2; decimals >= 0; decimals--) {
            String s = String.format(Locale.ROOT, "%." + decimals + "f", value);
            if (s.length() <= width) return pad(s, width);
        }
        String s = String.format(Locale.ROOT, "%.0e", value).replace("e+0", "e").replace("e+", "e");
        return s.length() <= width ? pad(s, width) : pad(value > 0 ? "huge" : "-huge", width);
    }

    /** {@code s} right-aligned in {@code width} characters, or left-aligned in {@code -width}. */
    private static String pad(String s, int width) {
        int room = Math.abs(width) - s.length();
        if (room <= 0) return s;
        return width > 0 ? " ".repeat(room) + s : s + " ".repeat(room);
    }
}
