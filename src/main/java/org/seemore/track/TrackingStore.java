package org.seemore.track;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a run's records go: MLflow's file store ({@link FileStore}) or a tracking server
 * ({@link RestStore}). Calls come from one thread, the sender's, and may throw
 * {@link TrackingException}; none of them is made on the training thread.
 */
public interface TrackingStore {

    /** A created run: its experiment, its id and where its artifacts go (as the store reports it). */
    record RunRef(String experimentId, String runId, String artifactUri) {}

    /** What a new run starts with. {@code tags} include {@code mlflow.runName}. */
    record NewRun(String experimentName, String runName, String userId, long startTime, Map<String, String> tags) {}

    /** Finds the experiment by name, creating it if there is none, and creates a RUNNING run in it. */
    RunRef createRun(NewRun run) throws TrackingException;

    /**
     * Logs metrics, params and tags; within MLflow's limits per call (1000 metrics, 100 params,
     * 100 tags, 1000 in all), which the caller keeps to.
     */
    void logBatch(RunRef run, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) throws TrackingException;

    /** Sets the run's status; {@code endTime} in epoch milliseconds, or null while it runs. */
    void updateRun(RunRef run, RunStatus status, Long endTime) throws TrackingException;

    /** Stores a file as the artifact {@code artifactPath} (slash-separated, relative to the run's artifact root). */
    void logArtifact(RunRef run, String artifactPath, Path file) throws TrackingException;

    /** The store as the user named it, for messages. */
    String describe();
}
