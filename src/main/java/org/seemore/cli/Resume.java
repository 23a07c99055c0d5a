package org.seemore.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.seemore.UserException;
import org.seemore.model.VlmConfig;
import org.seemore.train.RunRecord;
import org.seemore.train.Stage;
import org.seemore.train.TrainSettings;

/**
 * What {@code train --resume} keeps and what it lets change. A run continues exactly (the same
 * batches, learning rates, dropout and routing noise as if it had never stopped) only with the data,
 * model, batch size, gradient accumulation, learning rate, warm-up, stage and seed it started with:
 * a flag that changes one of them is refused, and a flag not given takes the run's value. Its length
 * and how often it evaluates and checkpoints may change, with a notice.
 */
final class Resume {
    private final Path dir;
    private final Predicate<String> given;
    private final List<String> notices = new ArrayList<>();

    /** The settings a resumed run continues with, and one line for each change the user asked for. */
    record Settings(TrainSettings settings, List<String> notices) {}

    /** @param given whether the user gave a flag (rather than leaving it at its default) */
    private Resume(Path dir, Predicate<String> given) {
        this.dir = dir;
        this.given = given;
    }

    /** The settings to continue the run in {@code dir} with: the run's own, with the changes that keep it exact. */
    static Settings settings(Path dir, TrainSettings run, TrainSettings asked, Predicate<String> given) {
        Resume r = new Resume(dir, given);
        int batchSize = r.keep("--batch-size", asked.batchSize(), run.batchSize());
        int gradAccum = r.keep("--grad-accum", asked.gradAccumulation(), run.gradAccumulation());
        double lr = r.keep("--lr", asked.lr(), run.lr());
        int warmup = r.keep("--warmup", asked.warmupSteps(), run.warmupSteps());
        Stage stage = Stage.parse(r.keep("--stage", asked.stage().id(), run.stage().id()));
        long seed = r.keep("--seed", asked.seed(), run.seed());
        int steps = run.steps();
        if (given.test("--steps") && asked.steps() != run.steps()) {
            steps = asked.steps();
            r.notices.add("--steps " + steps + ": the run was set for " + run.steps() + " steps; its learning rate now decays over " + steps);
        }
        int evalEvery = r.change("--eval-every", asked.evalEvery(), run.evalEvery());
        int evalLimit = r.change("--eval-limit", asked.evalLimit(), run.evalLimit());
        int checkpointEvery = r.change("--checkpoint-every", asked.checkpointEvery(), run.checkpointEvery());
        return new Settings(run.toBuilder().steps(steps).batchSize(batchSize).gradAccumulation(gradAccum).lr(lr).warmupSteps(warmup)
                .evalEvery(evalEvery).evalLimit(evalLimit).checkpointEvery(checkpointEvery).seed(seed).stage(stage).build(), List.copyOf(r.notices));
    }

    /** A resumed run keeps its model: {@code --preset} or {@code --config}, when given, must describe it. */
    static void checkModel(Path dir, VlmConfig run, String runModel, VlmConfig asked, String askedModel) {
        if (!asked.equals(run)) {
            throw new UserException(askedModel + ": the run in " + dir + " is another model (" + (runModel == null ? "see its config.json" : runModel)
                    + "), and a resumed run keeps its model; train a new run with another --out to change it");
        }
    }

    /** A resumed run needs the same training records in the same order. */
    static void checkData(Path dir, RunRecord run, String data, int records, String fingerprint) {
        if (!fingerprint.equals(run.fingerprint())) {
            throw new UserException("--data " + data + ": " + records + " training records (fingerprint " + fingerprint + "), but the run in "
                    + dir + " trained on " + run.data() + " (" + run.records() + " records, fingerprint " + run.fingerprint()
                    + "); a resumed run needs the same data, split the same way");
        }
    }

    private <T> T keep(String flag, T asked, T run) {
        if (given.test(flag) && !asked.equals(run)) {
            throw new UserException(flag + " " + asked + ": the run in " + dir + " was trained with " + flag + " " + run
                    + ", and a resumed run keeps it to continue exactly; train a new run with another --out to change it");
        }
        return run;
    }

    private <T> T change(String flag, T asked, T run) {
        // evaluations and checkpoints do not touch the model or its random streams
        if (!given.test(flag) || asked.equals(run)) return run;
        notices.add(flag + " " + asked + ": the run had " + run + "; continuing with " + asked);
        return asked;
    }
}
