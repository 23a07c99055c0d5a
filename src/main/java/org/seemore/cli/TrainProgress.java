package org.seemore.cli;

import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.seemore.train.Evaluator;
import org.seemore.train.Trainer;

/** The terminal progress bar of a training run: steps, ETA and the current loss. */
final class TrainProgress implements Trainer.Listener, AutoCloseable {
    private final ProgressBar bar;
    private boolean closed;

    TrainProgress(long steps) {
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).showSpeed().setUnit(" steps", 1)
                .setConsumer(new ConsoleProgressBarConsumer(System.err, 100)).build();
    }

    @Override
    public void onStep(Trainer.StepMetrics m) {
        bar.stepTo(m.step());
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", m.loss()));
    }

    @Override
    public void onEvaluation(long step, Evaluator.Result r) {
        bar.setExtraMessage(String.format(Locale.ROOT, " val %.4f, exact %.0f%%", r.loss(), 100 * r.exactMatch()));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bar.close();
        }
    }
}
