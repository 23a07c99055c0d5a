package org.seemore.track;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.seemore.UserException;
import org.seemore.train.Evaluator;
import org.seemore.train.Trainer;

/**
 * Tracks one training run in MLflow: a {@link Trainer.Listener} that appends each step's and each
 * evaluation's metrics to the spool (a file append, the only work on the training thread) and a
 * {@link Sender} thread that takes them to the store. Metrics, with the names of metrics.jsonl:
 * loss, ce, aux, lr, grad_norm, tokens_per_s, expert_load/layerL/expertE (a share of the routed
 * assignments), val_loss, exact_match, char_error_rate. {@link #finish} stores the artifacts and ends
 * the run FINISHED or KILLED; {@link #close} without it ends the run FAILED.
 */
public final class MlflowTracker implements Trainer.Listener, AutoCloseable {
    /** The files tracking keeps in a run directory: which MLflow run it is (mlflow.json), and the metrics that wait for the store. */
    public static final java.util.List<String> RUN_DIRECTORY_FILES = java.util.List.of(RunFile.FILE, Spool.FILE);

    /**
     * What the user asked for.
     *
     * @param uri             where to track; null for nowhere
     * @param uriSource       the flag or variable that gave it, for messages
     * @param experiment      the experiment's name
     * @param experimentGiven whether the user named the experiment (rather than taking the default)
     * @param runName         the run's name; null for the run directory's name
     */
    public record Options(String uri, String uriSource, String experiment, boolean experimentGiven, String runName) {}

    private final Path runDir;
    private final TrackingStore store;
    private final RunFile state;
    private final Spool spool;
    private final Sender sender;
    private final Map<String, Long> skipThrough;
    private final Consumer<String> notices;
    private boolean broken;
    private boolean finished;

    private MlflowTracker(Path runDir, TrackingStore store, RunFile state, Spool spool, Sender sender, Map<String, Long> skipThrough,
                          Consumer<String> notices) {
        this.runDir = runDir;
        this.store = store;
        this.state = state;
        this.spool = spool;
        this.sender = sender;
        this.skipThrough = skipThrough;
        this.notices = notices;
    }

    /** As {@link #start(Options, Path, long, Map, String, Consumer, Function, Sender.Timing)} with the process's environment and default patience. */
    public static MlflowTracker start(Options options, Path runDir, long resumedStep, Map<String, String> params, String source,
                                      Consumer<String> notices) {
        return start(options, runDir, resumedStep, params, source, notices, System::getenv, Sender.Timing.defaults());
    }

    /**
     * Starts tracking the run in {@code runDir}; null when it is not tracked. A resumed run
     * ({@code resumedStep >= 0}) that was tracked continues its MLflow run, from the store and
     * experiment recorded in mlflow.json: a different {@code --mlflow}, experiment or run name is
     * refused. Its metrics after {@code resumedStep} that the store already has are not sent again.
     *
     * @param resumedStep the checkpoint step a resumed run continues from; -1 for a new run
     * @param source      the command, e.g. "seemore train" (the mlflow.source.name tag)
     */
    public static MlflowTracker start(Options options, Path runDir, long resumedStep, Map<String, String> params, String source,
                                      Consumer<String> notices, Function<String, String> env, Sender.Timing timing) {
        Spool spool = new Spool(runDir);
        RunFile state;
        TrackingUri target;
        boolean reopen = false;
        Map<String, Long> skip = Map.of();
        if (resumedStep >= 0 && RunFile.exists(runDir)) {
            state = checkResume(options, runDir, env);
            target = TrackingUri.parse(state.trackingUri, runDir.resolve(RunFile.FILE) + ": tracking_uri", env);
            try {
                spool.compact(state.acknowledged, step -> step <= resumedStep);
            } catch (IOException e) {
                throw new UserException(spool.file() + ": cannot read the metrics that wait for MLflow: " + e.getMessage());
            }
            state.acknowledged = Spool.Position.START;
            skip = Map.copyOf(state.ackedSteps);
            reopen = state.run != null;
        } else {
            if (options.uri() == null) return null;
            target = TrackingUri.parse(options.uri(), options.uriSource(), env);
            String runName = options.runName() != null ? options.runName() : runDir.toAbsolutePath().normalize().getFileName().toString();
            state = new RunFile(canonical(target), options.experiment(), runName, System.getProperty("user.name", "unknown"),
                    System.currentTimeMillis());
            try {
                Files.deleteIfExists(spool.file());
            } catch (IOException e) {
                throw new UserException(spool.file() + ": cannot start a new spool: " + e.getMessage());
            }
        }
        if (options.experiment() == null || options.experiment().isBlank()) throw new UserException("--mlflow-experiment: give a name");
        state.write(runDir);
        TrackingStore store = target.open(Duration.ofSeconds(30));
        Map<String, String> tags = RunMetadata.tags(state.runName, state.userId, source, runDir);
        Sender sender = new Sender(store, runDir, state, spool, RunMetadata.limited(params), tags, reopen, timing, notices);
        sender.start();
        return new MlflowTracker(runDir, store, state, spool, sender, skip, notices);
    }

    /**
     * For {@code train --resume}, before anything slow: a run tracked before continues at its store,
     * in its experiment, under its name; a flag naming another is refused. Returns its record, or
     * Does nothing when the run was not tracked.
     */
    public static void checkResume(Options options, Path runDir) {
        if (RunFile.exists(runDir)) checkResume(options, runDir, System::getenv);
    }

    private static RunFile checkResume(Options options, Path runDir, Function<String, String> env) {
        RunFile state = RunFile.read(runDir);
        TrackingUri target = TrackingUri.parse(state.trackingUri, runDir.resolve(RunFile.FILE) + ": tracking_uri", env);
        if (options.uri() != null && options.uriSource().startsWith("--")) {
            TrackingUri asked = TrackingUri.parse(options.uri(), options.uriSource(), env);
            if (!canonical(asked).equals(canonical(target))) {
                throw new UserException(options.uriSource() + " " + options.uri() + ": the run in " + runDir + " is tracked at " + state.trackingUri
                        + ", and a resumed run continues its MLflow run there; leave out " + options.uriSource() + " or give that one");
            }
        }
        if (options.experimentGiven() && !options.experiment().equals(state.experimentName)) {
            throw new UserException("--mlflow-experiment " + options.experiment() + ": the run in " + runDir + " is tracked in experiment "
                    + state.experimentName + "; a resumed run stays in it");
        }
        if (options.runName() != null && !options.runName().equals(state.runName)) {
            throw new UserException("--mlflow-run-name " + options.runName() + ": the run in " + runDir + " is the MLflow run "
                    + state.runName + "; a resumed run keeps its name");
        }
        return state;
    }

    /** Whether the run in {@code runDir} was tracked and the store has not taken all of it (its end included). */
    public static boolean hasUnsent(Path runDir) {
        if (!RunFile.exists(runDir)) return false;
        try {
            return !RunFile.read(runDir).ended || Files.size(runDir.resolve(Spool.FILE)) > 0;
        } catch (IOException e) {
            return false; // no spool: nothing waits
        }
    }

    /** A file store by its absolute path, so a relative PATH given from another directory still matches. */
    private static String canonical(TrackingUri uri) {
        return uri.fileRoot() != null ? "file:" + uri.fileRoot() : uri.uri();
    }

    @Override
    public void onStep(Trainer.StepMetrics m) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", m.loss());
        values.put("ce", m.ce());
        values.put("aux", m.aux());
        values.put("lr", m.lr());
        values.put("grad_norm", m.gradNorm());
        values.put("tokens_per_s", m.tokensPerSecond());
        for (int layer = 0; layer < m.expertLoad().length; layer++) {
            for (int expert = 0; expert < m.expertLoad()[layer].length; expert++) {
                values.put(String.format(Locale.ROOT, "expert_load/layer%d/expert%d", layer, expert), m.expertLoad()[layer][expert]);
            }
        }
        log(m.step(), values);
    }

    @Override
    public void onEvaluation(long step, Evaluator.Result r) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("val_loss", r.loss());
        values.put("exact_match", r.exactMatch());
        values.put("char_error_rate", r.charErrorRate());
        log(step, values);
    }

    /**
     * Records metrics at {@code step} (the demo's test scores, for one). Only appends to the spool;
     * a failure to do so stops tracking with one notice, never training.
     */
    public void log(long step, Map<String, Double> values) {
        if (broken || finished) return;
        Map<String, Double> fresh = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            Long acked = skipThrough.get(key);
            if (acked == null || step > acked) fresh.put(key, value); // a resumed run's store has these already
        });
        if (fresh.isEmpty()) return;
        try {
            spool.append(step, System.currentTimeMillis(), fresh);
            sender.wake();
        } catch (IOException | RuntimeException e) {
            broken = true;
            notices.accept("mlflow: cannot append to " + spool.file() + " (" + e.getMessage() + "); tracking stopped for this run (training goes on)");
        }
    }

    /**
     * Ends the run: the sender stores what is left, the run directory's artifacts (plots,
     * metrics.jsonl, the model under model/) and the status, waiting a bounded time for the store.
     * Whatever it did not take stays in the spool, for {@code --resume} to send.
     */
    public void finish(RunStatus status) {
        if (finished) return;
        finished = true;
        long unsent;
        try {
            unsent = sender.finish(status, System.currentTimeMillis(), RunMetadata.artifacts(runDir));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unsent = -1;
        }
        if (state.ended && unsent == 0) {
            try {
                Files.deleteIfExists(spool.file()); // all acknowledged: nothing left to resend
                state.acknowledged = Spool.Position.START;
                state.write(runDir);
            } catch (IOException | UserException e) {
                // the spool only holds acknowledged metrics; leaving it costs disk space, nothing else
            }
        } else if (!sender.stopped()) {
            notices.accept("mlflow: " + store.describe() + " has not taken the whole run" + (unsent > 0 ? " (" + unsent + " metrics)" : "")
                    + "; it waits in " + spool.file() + " and is sent when the run is resumed (--resume)");
        }
    }

    /** The MLflow run's id, once the store created it. */
    public String runId() {
        return state.run == null ? null : state.run.runId();
    }

    /** Ends the run FAILED unless {@link #finish} ended it. */
    @Override
    public void close() {
        finish(RunStatus.FAILED);
    }
}
