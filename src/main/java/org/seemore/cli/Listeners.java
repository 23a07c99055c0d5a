package org.seemore.cli;

import org.seemore.train.Evaluator;
import org.seemore.train.Trainer;

/** Two listeners as one: the progress bar and the tracker both hear each step; notices print once. */
final class Listeners {
    private Listeners() {}

    /** {@code first} and {@code second}, or {@code first} alone when {@code second} is null. */
    static Trainer.Listener of(Trainer.Listener first, Trainer.Listener second) {
        if (second == null) return first;
        return new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepMetrics metrics) {
                first.onStep(metrics);
                second.onStep(metrics);
            }

            @Override
            public void onEvaluation(long step, Evaluator.Result result) {
                first.onEvaluation(step, result);
                second.onEvaluation(step, result);
            }

            @Override
            public void onCheckpoint(long step) {
                first.onCheckpoint(step);
                second.onCheckpoint(step);
            }

            @Override
            public void onNotice(String message) {
                first.onNotice(message);
            }
        };
    }
}
