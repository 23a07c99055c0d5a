package org.seemore.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.seemore.UserException;
import org.seemore.io.AtomicFiles;

/**
 * {@code mlflow.json} in the run directory: which MLflow run this training run is, and how much of
 * it the store has acknowledged, so that {@code --resume} continues the same MLflow run and sends
 * nothing twice. Written atomically by the sender after each acknowledged call.
 *
 * <pre>
 * tracking_uri, experiment_name, run_name, user_id, start_time   what the run was started with
 * experiment_id, run_id, artifact_uri                            null until the store created the run
 * spool_offset, spool_within                                     the acknowledged position in the spool
 * acked_steps {KEY: STEP}                                        the last step acknowledged per metric
 * params {KEY: VALUE}                                            the params the store acknowledged
 * end_status, end_time                                           how the run ended (when it did)
 * ended                                                          whether the store acknowledged that end
 * </pre>
 */
final class RunFile {
    static final String FILE = "mlflow.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String trackingUri;
    final String experimentName;
    final String runName;
    final String userId;
    final long startTime;
    TrackingStore.RunRef run;
    Spool.Position acknowledged = Spool.Position.START;
    final Map<String, Long> ackedSteps = new LinkedHashMap<>();
    final Map<String, String> params = new LinkedHashMap<>();
    RunStatus endStatus;
    Long endTime;
    boolean ended;

    RunFile(String trackingUri, String experimentName, String runName, String userId, long startTime) {
        this.trackingUri = trackingUri;
        this.experimentName = experimentName;
        this.runName = runName;
        this.userId = userId;
        this.startTime = startTime;
    }

    static boolean exists(Path runDir) {
        return Files.isRegularFile(runDir.resolve(FILE));
    }

    void write(Path runDir) {
        ObjectNode o = JSON.createObjectNode();
        o.put("tracking_uri", trackingUri).put("experiment_name", experimentName).put("run_name", runName)
                .put("user_id", userId).put("start_time", startTime);
        o.put("experiment_id", run == null ? null : run.experimentId()).put("run_id", run == null ? null : run.runId())
                .put("artifact_uri", run == null ? null : run.artifactUri());
        o.put("spool_offset", acknowledged.offset()).put("spool_within", acknowledged.within());
        ObjectNode steps = o.putObject("acked_steps");
        ackedSteps.forEach(steps::put);
        ObjectNode p = o.putObject("params");
        params.forEach(p::put);
        o.put("end_status", endStatus == null ? null : endStatus.name()).put("end_time", endTime).put("ended", ended);
        AtomicFiles.writeString(runDir.resolve(FILE), o.toPrettyString() + "\n");
    }

    static RunFile read(Path runDir) {
        Path file = runDir.resolve(FILE);
        try {
            JsonNode o = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            RunFile r = new RunFile(text(o, "tracking_uri"), text(o, "experiment_name"), text(o, "run_name"), text(o, "user_id"),
                    o.get("start_time").longValue());
            if (text(o, "run_id") != null) r.run = new TrackingStore.RunRef(text(o, "experiment_id"), text(o, "run_id"), text(o, "artifact_uri"));
            r.acknowledged = new Spool.Position(o.get("spool_offset").longValue(), o.get("spool_within").intValue());
            o.get("acked_steps").properties().forEach(e -> r.ackedSteps.put(e.getKey(), e.getValue().longValue()));
            o.get("params").properties().forEach(e -> r.params.put(e.getKey(), e.getValue().textValue()));
            if (text(o, "end_status") != null) r.endStatus = RunStatus.valueOf(text(o, "end_status"));
            if (o.hasNonNull("end_time")) r.endTime = o.get("end_time").longValue();
            r.ended = o.path("ended").booleanValue();
            if (r.trackingUri == null || r.experimentName == null) throw new IllegalArgumentException("no tracking_uri or experiment_name");
            return r;
        } catch (IOException | RuntimeException e) {
            throw new UserException(file + ": not a complete record of the MLflow run (" + e.getMessage()
                    + "); delete it and the spool beside it to resume without MLflow, or start a new run");
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.textValue();
    }
}
