package org.seemore.track;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.seemore.UserException;

/**
 * The background thread that takes a run's records to the store: creates the MLflow run (when the
 * store is reachable), logs the params, then the spooled metrics in batches of at most 1000, and when
 * the run ends its artifacts and its status. Each acknowledged call moves the position saved in
 * {@link RunFile}, so nothing acknowledged is sent again. A call that may succeed later is retried
 * with a backoff doubling up to {@link Timing#maxRetry()}; the first such failure prints one notice.
 * A call the store refuses stops tracking for the run, with one notice; training never waits for it.
 */
final class Sender {
    /** MLflow's log-batch limits (mlflow/utils/validation.py, and the REST API's "Request Limits"). */
    static final int MAX_METRICS_PER_BATCH = 1000;
    static final int MAX_PARAMS_PER_BATCH = 100;
    static final int MAX_TAGS_PER_BATCH = 100;

    /** How patient the sender is. */
    public record Timing(Duration firstRetry, Duration maxRetry, Duration closeWait, Duration poll) {
        public static Timing defaults() {
            return new Timing(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(200));
        }
    }

    /** A file to store as an artifact at {@code path} (relative to the run's artifact root). */
    record Artifact(String path, Path file) {}

    private final TrackingStore store;
    private final Path runDir;
    private final RunFile state;
    private final Spool spool;
    private final Map<String, String> params;
    private final Map<String, String> tags;
    private final Timing timing;
    private final Consumer<String> notices;
    private final Thread thread;
    private final Object signal = new Object();
    private volatile boolean reopen;
    private volatile boolean finishing;
    private volatile boolean abandoned;
    private volatile boolean stopped;
    private volatile boolean failing;
    private volatile RunStatus endStatus;
    private volatile long endTime;
    private volatile List<Artifact> artifacts = List.of();
    private int artifactsDone;
    private boolean paramsDone;
    private final java.util.Set<String> changedSent = new java.util.HashSet<>();

    /**
     * @param params the run's params; one acknowledged earlier with another value (a resumed run whose
     *               length changed) is logged as the tag {@code seemore.changed.KEY}, since MLflow
     *               does not let a param change
     * @param reopen whether the MLflow run ended before (a resumed run) and is set RUNNING again
     */
    Sender(TrackingStore store, Path runDir, RunFile state, Spool spool, Map<String, String> params, Map<String, String> tags,
           boolean reopen, Timing timing, Consumer<String> notices) {
        this.store = store;
        this.runDir = runDir;
        this.state = state;
        this.spool = spool;
        this.params = params;
        this.tags = tags;
        this.reopen = reopen;
        this.timing = timing;
        this.notices = notices;
        this.thread = Thread.ofPlatform().daemon().name("mlflow-sender").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** New metrics are in the spool. */
    void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    boolean stopped() {
        return stopped;
    }

    /**
     * Ends the run: the sender sends what is left, the artifacts and the status, waiting at most
     * {@link Timing#closeWait()}. Returns how many metrics were left unsent (0 when all went).
     */
    long finish(RunStatus status, long time, List<Artifact> files) throws InterruptedException {
        endStatus = status;
        endTime = time;
        artifacts = List.copyOf(files);
        finishing = true;
        if (failing && !stopped) {
            notices.accept("mlflow: waiting up to " + timing.closeWait().toSeconds() + " s for " + store.describe() + " to take the rest of the run");
        }
        wake();
        thread.join(timing.closeWait());
        if (thread.isAlive()) {
            abandoned = true;
            thread.interrupt();
            thread.join(Duration.ofSeconds(5));
        }
        try {
            return spool.countAfter(state.acknowledged);
        } catch (IOException e) {
            return -1;
        }
    }

    private void loop() {
        Duration backoff = timing.firstRetry();
        try {
            while (!abandoned) {
                boolean progressed;
                try {
                    progressed = step();
                    if (failing) {
                        failing = false;
                        notices.accept("mlflow: " + store.describe() + " is reachable again; sending the metrics that waited");
                    }
                    backoff = timing.firstRetry();
                } catch (TrackingException e) {
                    if (!e.retryable()) {
                        stopped = true;
                        notices.accept("mlflow: " + e.getMessage() + "; tracking stopped for this run (training goes on; its metrics stay in "
                                + spool.file() + ")");
                        return;
                    }
                    if (!failing) {
                        failing = true;
                        notices.accept("mlflow: cannot reach " + store.describe() + " (" + e.getMessage() + "); training goes on, its metrics wait in "
                                + spool.file() + " and are sent when the server takes them");
                    }
                    pause(backoff, false);
                    backoff = backoff.multipliedBy(2).compareTo(timing.maxRetry()) > 0 ? timing.maxRetry() : backoff.multipliedBy(2);
                    continue;
                } catch (IOException | UserException e) {
                    stopped = true;
                    notices.accept("mlflow: " + e.getMessage() + "; tracking stopped for this run (training goes on)");
                    return;
                }
                if (!progressed) {
                    if (finishing && state.ended) return;
                    pause(timing.poll(), true);
                }
            }
        } finally {
            if (finishing && !state.ended) saveQuietly();
        }
    }

    /** One call to the store, or none when there is nothing to send; true if it made one. */
    private boolean step() throws TrackingException, IOException {
        if (state.run == null) {
            Map<String, String> initial = new LinkedHashMap<>(tags);
            state.run = store.createRun(new TrackingStore.NewRun(state.experimentName, state.runName, state.userId, state.startTime, initial));
            reopen = false;
            save();
            return true;
        }
        if (reopen) {
            store.updateRun(state.run, RunStatus.RUNNING, null);
            reopen = false;
            state.ended = false;
            state.endStatus = null;
            state.endTime = null;
            save();
            return true;
        }
        if (!paramsDone) {
            Map<String, String> newParams = new LinkedHashMap<>(), changed = new LinkedHashMap<>();
            for (Map.Entry<String, String> p : params.entrySet()) {
                String acked = state.params.get(p.getKey());
                if (acked == null) newParams.put(p.getKey(), p.getValue());
                else if (!acked.equals(p.getValue()) && !changedSent.contains(p.getKey())) changed.put(p.getKey(), p.getValue());
            }
            if (newParams.isEmpty() && changed.isEmpty()) {
                paramsDone = true;
                return false;
            }
            Map<String, String> batchParams = first(newParams, MAX_PARAMS_PER_BATCH);
            Map<String, String> batchChanged = batchParams.isEmpty() ? first(changed, MAX_TAGS_PER_BATCH) : Map.of();
            Map<String, String> batchTags = new LinkedHashMap<>();
            batchChanged.forEach((k, v) -> batchTags.put("seemore.changed." + k, v));
            store.logBatch(state.run, List.of(), batchParams, batchTags);
            state.params.putAll(batchParams);
            changedSent.addAll(batchChanged.keySet());
            save();
            return true;
        }
        Spool.Chunk chunk = spool.read(state.acknowledged, MAX_METRICS_PER_BATCH);
        if (!chunk.metrics().isEmpty()) {
            store.logBatch(state.run, chunk.metrics(), Map.of(), Map.of());
            state.acknowledged = chunk.next();
            for (Metric m : chunk.metrics()) state.ackedSteps.merge(m.key(), m.step(), Math::max);
            save();
            return true;
        }
        if (!finishing || state.ended) return false;
        if (state.endStatus == null) {
            state.endStatus = endStatus;
            state.endTime = endTime;
            save();
        }
        if (artifactsDone < artifacts.size()) {
            Artifact a = artifacts.get(artifactsDone);
            try {
                store.logArtifact(state.run, a.path(), a.file());
                artifactsDone++;
            } catch (TrackingException e) {
                if (e.retryable()) throw e;
                notices.accept("mlflow: artifacts not stored: " + e.getMessage());
                artifactsDone = artifacts.size();
            }
            return true;
        }
        store.updateRun(state.run, state.endStatus, state.endTime);
        state.ended = true;
        save();
        return true;
    }

    private static Map<String, String> first(Map<String, String> all, int n) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new ArrayList<>(all.entrySet())) {
            if (out.size() == n) break;
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * Waits {@code d}; a {@link #wake()} ends the wait early only when {@code wakeable}: a backoff
     * runs its course, or every training step would knock on a server that is down.
     */
    private void pause(Duration d, boolean wakeable) {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (signal) {
            try {
                for (long left = d.toNanos(); left > 0 && !abandoned; left = deadline - System.nanoTime()) {
                    signal.wait(Math.max(1, left / 1_000_000));
                    if (wakeable) return;
                }
            } catch (InterruptedException e) {
                abandoned = true;
            }
        }
    }

    private void save() {
        state.write(runDir);
    }

    private void saveQuietly() {
        try {
            save();
        } catch (UserException e) {
            // the run directory is gone or full; the notice about unsent metrics says what matters
        }
    }
}
