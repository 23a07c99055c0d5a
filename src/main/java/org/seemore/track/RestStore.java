package org.seemore.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tracking server through MLflow's REST API 2.0 (mlflow.org/docs/latest/rest-api.html):
 * {@code GET experiments/get-by-name}, {@code POST experiments/create}, {@code runs/create},
 * {@code runs/log-batch} and {@code runs/update} under {@code BASE/api/2.0/mlflow/}, JSON bodies;
 * artifacts through the server's artifact proxy, {@code PUT BASE/api/2.0/mlflow-artifacts/artifacts/PATH},
 * for runs whose artifact URI is {@code mlflow-artifacts:/PATH} (the server's default).
 * No connection, a timeout, 5xx, 408 and 429 are retryable; any other error status is the server's refusal.
 */
public final class RestStore implements TrackingStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api/2.0/mlflow/";
    private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

    private final String base;
    private final String authorization;
    private final Duration timeout;
    private final Duration artifactTimeout;
    private final HttpClient http;

    /**
     * @param base          the server, e.g. {@code http://localhost:5000} (a path prefix is kept)
     * @param authorization the Authorization header's value, or null
     */
    public RestStore(URI base, String authorization, Duration timeout) {
        this.base = base.toString().replaceAll("/+$", "");
        this.authorization = authorization;
        this.timeout = timeout;
        this.artifactTimeout = timeout.multipliedBy(10);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    @Override
    public String describe() {
        return base;
    }

    @Override
    public RunRef createRun(NewRun run) throws TrackingException {
        String experimentId = experimentId(run.experimentName());
        ObjectNode body = JSON.createObjectNode().put("experiment_id", experimentId).put("user_id", run.userId())
                .put("run_name", run.runName()).put("start_time", run.startTime());
        ArrayNode tags = body.putArray("tags");
        run.tags().forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
        JsonNode info = ok(call("POST", "runs/create", body), "runs/create").path("run").path("info");
        String runId = info.path("run_id").asText(info.path("run_uuid").asText(""));
        if (runId.isEmpty()) throw new TrackingException(base + ": runs/create answered without a run_id", false);
        return new RunRef(experimentId, runId, info.path("artifact_uri").asText(null));
    }

    /** The active experiment's id, creating the experiment if there is none of that name. */
    private String experimentId(String name) throws TrackingException {
        for (int attempt = 0; attempt < 2; attempt++) {
            Response found = send(HttpRequest.newBuilder(URI.create(base + API + "experiments/get-by-name?experiment_name="
                    + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"))).GET(), timeout, "experiments/get-by-name");
            if (found.status() == 200) {
                JsonNode experiment = found.json().path("experiment");
                if ("deleted".equals(experiment.path("lifecycle_stage").asText())) {
                    throw new TrackingException("experiment '" + name + "' on " + base + " is deleted; restore it, or track into another experiment", false);
                }
                return experiment.path("experiment_id").asText();
            }
            if (!found.errorCode().equals("RESOURCE_DOES_NOT_EXIST")) throw found.failure("experiments/get-by-name");
            Response created = call("POST", "experiments/create", JSON.createObjectNode().put("name", name));
            if (created.status() == 200) return created.json().path("experiment_id").asText();
            // another client created it between the two calls: look it up again
            if (!created.errorCode().equals("RESOURCE_ALREADY_EXISTS")) throw created.failure("experiments/create");
        }
        throw new TrackingException(base + ": experiment '" + name + "' neither found nor created", true);
    }

    @Override
    public void logBatch(RunRef run, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) throws TrackingException {
        ObjectNode body = JSON.createObjectNode().put("run_id", run.runId());
        ArrayNode m = body.putArray("metrics");
        for (Metric metric : metrics) {
            ObjectNode o = m.addObject().put("key", metric.key());
            // JSON has no NaN or infinity; proto3's JSON mapping spells them as these strings
            if (Double.isFinite(metric.value())) o.put("value", metric.value());
            else o.put("value", Double.isNaN(metric.value()) ? "NaN" : metric.value() > 0 ? "Infinity" : "-Infinity");
            o.put("timestamp", metric.timestamp()).put("step", metric.step());
        }
        ArrayNode p = body.putArray("params");
        params.forEach((k, v) -> p.addObject().put("key", k).put("value", v));
        ArrayNode t = body.putArray("tags");
        tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
        ok(call("POST", "runs/log-batch", body), "runs/log-batch");
    }

    @Override
    public void updateRun(RunRef run, RunStatus status, Long endTime) throws TrackingException {
        ObjectNode body = JSON.createObjectNode().put("run_id", run.runId()).put("status", status.name());
        if (endTime != null) body.put("end_time", endTime);
        ok(call("POST", "runs/update", body), "runs/update");
    }

    @Override
    public void logArtifact(RunRef run, String artifactPath, Path file) throws TrackingException {
        String uri = run.artifactUri();
        if (uri == null || !uri.startsWith("mlflow-artifacts:")) {
            throw new TrackingException("the run's artifacts go to " + uri + ", which " + base
                    + " does not serve (seemore uploads through the server's mlflow-artifacts proxy, the default of `mlflow server`)", false);
        }
        String path = URI.create(uri).getPath();
        StringBuilder url = new StringBuilder(base).append(ARTIFACTS);
        for (String part : (path + "/" + artifactPath).split("/")) {
            if (!part.isEmpty()) url.append('/').append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url.toString())).header("Content-Type", mimeType(artifactPath))
                    .PUT(HttpRequest.BodyPublishers.ofFile(file));
        } catch (FileNotFoundException e) {
            throw new TrackingException(file + ": not found", false, e);
        }
        Response r = send(request, artifactTimeout, "mlflow-artifacts");
        if (r.status() != 200) throw r.failure("PUT " + artifactPath);
    }

    /** As Python's mimetypes guesses them for seemore's files; MLflow sends the guess as Content-Type. */
    static String mimeType(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) return "image/png";
        if (lower.endsWith(".json")) return "application/json";
        if (lower.endsWith(".txt")) return "text/plain";
        return "application/octet-stream";
    }

    private Response call(String method, String endpoint, JsonNode body) throws TrackingException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + API + endpoint)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        return send(request, timeout, endpoint);
    }

    private Response send(HttpRequest.Builder request, Duration limit, String endpoint) throws TrackingException {
        request.timeout(limit).header("User-Agent", "seemore/" + org.seemore.Version.NUMBER);
        if (authorization != null) request.header("Authorization", authorization);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json;
            try {
                json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            } catch (IOException e) {
                json = JSON.createObjectNode().put("message", response.body().strip().lines().findFirst().orElse(""));
            }
            return new Response(response.statusCode(), json);
        } catch (IOException e) {
            throw new TrackingException(endpoint + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrackingException(endpoint + ": interrupted", true, e);
        }
    }

    private static JsonNode ok(Response r, String endpoint) throws TrackingException {
        if (r.status() != 200) throw r.failure(endpoint);
        return r.json();
    }

    /** An answer: its status and JSON body (MLflow's errors are {"error_code": ..., "message": ...}). */
    private record Response(int status, JsonNode json) {
        String errorCode() {
            return json.path("error_code").asText("");
        }

        TrackingException failure(String endpoint) {
            boolean retryable = status >= 500 || status == 408 || status == 429;
            String message = json.path("message").asText("");
            return new TrackingException(endpoint + ": HTTP " + status + (errorCode().isEmpty() ? "" : " " + errorCode())
                    + (message.isEmpty() ? "" : ": " + message), retryable);
        }
    }
}
