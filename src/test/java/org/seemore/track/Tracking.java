package org.seemore.track;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.seemore.train.Trainer;

/** Helpers for the tracking tests: quick timings, step figures, a notice collector. */
final class Tracking {
    static final Sender.Timing QUICK = new Sender.Timing(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(20), Duration.ofMillis(5));

    private Tracking() {}

    /** Step {@code step}'s figures, each a distinct function of the step, with {@code layers x experts} expert loads. */
    static Trainer.StepMetrics step(long step, int layers, int experts) {
        double[][] load = new double[layers][experts];
        for (int l = 0; l < layers; l++) for (int e = 0; e < experts; e++) load[l][e] = (l * experts + e + step) / 1000.0;
        return new Trainer.StepMetrics(step, 3.0 / step, 2.5 / step, 0.01 * step, 1e-3 * step, 0.5 + step, 1000.0 + step, load);
    }

    /** Notices, kept in order (the sender thread adds to it). */
    static List<String> notices() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    static MlflowTracker start(String uri, Path runDir, long resumedStep, Map<String, String> params, List<String> notices,
                               Map<String, String> env) {
        try {
            java.nio.file.Files.createDirectories(runDir); // the command made it before tracking starts
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return MlflowTracker.start(new MlflowTracker.Options(uri, "--mlflow", "seemore", false, "myrun"), runDir, resumedStep, params,
                "seemore test", notices::add, env::get, QUICK);
    }

    /** A resumed run, with no tracking flags (it continues at the store mlflow.json names). */
    static MlflowTracker resume(Path runDir, long resumedStep, List<String> notices) {
        return MlflowTracker.start(new MlflowTracker.Options(null, null, "seemore", false, null), runDir, resumedStep, Map.of(),
                "seemore test", notices::add, Map.<String, String>of()::get, QUICK);
    }

    static MlflowTracker start(String uri, Path runDir, long resumedStep, Map<String, String> params, List<String> notices) {
        return start(uri, runDir, resumedStep, params, notices, Map.of());
    }
}
