package org.seemore.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * An MLflow tracking server on 127.0.0.1 (a random port) that checks each request against MLflow's
 * documented REST API 2.0: paths and methods, JSON field names and types (unknown fields refused, as
 * the server's proto parsing refuses them), log-batch's limits (1000 metrics, 100 params, 100 tags,
 * 1000 in all, 1 MB, keys of at most 250 characters of [/\w.\- ], values of at most 250), params that
 * do not change, and the Authorization header. A request that breaks a rule gets MLflow's 400 answer
 * and is recorded in {@link #violations}. {@link #failWhen} makes chosen requests answer 503, as a
 * server that is down behind a proxy does.
 */
final class FakeMlflowServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY = Pattern.compile("^[/\\w.\\- ]*$");
    private static final Set<String> STATUSES = Set.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED");

    record Request(String method, String path, String authorization, String body) {}

    record Run(String runId, String experimentId, String name, String userId, long startTime, Map<String, String> params,
               Map<String, String> tags, List<Metric> metrics, String[] status, Long[] endTime) {}

    final List<String> violations = new CopyOnWriteArrayList<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final Map<String, String> experiments = new ConcurrentHashMap<>(); // name -> id
    final Map<String, Run> runs = new ConcurrentHashMap<>();
    final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final HttpServer server;
    volatile String expectedAuthorization;
    /** Request numbers (0-based, over all requests) that answer 503 without doing anything. */
    volatile IntPredicate failWhen = n -> false;
    /** While set, every request waits for it: a server that is slow to answer. */
    volatile java.util.concurrent.CountDownLatch gate;

    FakeMlflowServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Every metric the server stored, over all runs. */
    List<Metric> allMetrics() {
        List<Metric> out = new ArrayList<>();
        for (Run r : runs.values()) out.addAll(r.metrics());
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] raw = ex.getRequestBody().readAllBytes();
        String body = new String(raw, StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getPath();
        requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Authorization"), body));
        int n = requestCount.getAndIncrement();
        java.util.concurrent.CountDownLatch wait = gate;
        if (wait != null) {
            try {
                wait.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (failWhen.test(n)) {
                send(ex, 503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"the fake server is down\"}");
                return;
            }
            if (expectedAuthorization != null && !expectedAuthorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, "{\"error_code\":\"UNAUTHENTICATED\",\"message\":\"bad credentials\"}");
                return;
            }
            if (path.startsWith("/api/2.0/mlflow-artifacts/artifacts/")) {
                method(ex, "PUT");
                artifacts.put(URLDecoder.decode(path.substring("/api/2.0/mlflow-artifacts/artifacts/".length()), StandardCharsets.UTF_8),
                        raw);
                send(ex, 200, "{}");
                return;
            }
            String reply = switch (path) {
                case "/api/2.0/mlflow/experiments/get-by-name" -> getByName(ex);
                case "/api/2.0/mlflow/experiments/create" -> createExperiment(ex, body);
                case "/api/2.0/mlflow/runs/create" -> createRun(ex, body);
                case "/api/2.0/mlflow/runs/log-batch" -> logBatch(ex, body);
                case "/api/2.0/mlflow/runs/update" -> updateRun(ex, body);
                default -> throw new Refusal(404, "ENDPOINT_NOT_FOUND", "no endpoint " + path);
            };
            send(ex, 200, reply);
        } catch (Refusal r) {
            if (!r.code.equals("RESOURCE_DOES_NOT_EXIST")) violations.add(ex.getRequestMethod() + " " + path + ": " + r.getMessage());
            send(ex, r.status, JSON.createObjectNode().put("error_code", r.code).put("message", r.getMessage()).toString());
        }
    }

    private String getByName(HttpExchange ex) {
        method(ex, "GET");
        String query = ex.getRequestURI().getRawQuery();
        if (query == null || !query.startsWith("experiment_name=")) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "missing experiment_name");
        String name = URLDecoder.decode(query.substring("experiment_name=".length()), StandardCharsets.UTF_8);
        String id = experiments.get(name);
        if (id == null) throw new Refusal(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name '" + name + "'");
        ObjectNode reply = JSON.createObjectNode();
        reply.putObject("experiment").put("experiment_id", id).put("name", name).put("artifact_location", "mlflow-artifacts:/" + id)
                .put("lifecycle_stage", "active").put("creation_time", 1L).put("last_update_time", 1L);
        return reply.toString();
    }

    private String createExperiment(HttpExchange ex, String body) {
        JsonNode o = post(ex, body, Set.of("name", "artifact_location", "tags"));
        String name = string(o, "name", true);
        if (name.isEmpty()) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "empty name");
        if (experiments.containsKey(name)) throw new Refusal(400, "RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
        String id = Integer.toString(experiments.size() + 1);
        experiments.put(name, id);
        return JSON.createObjectNode().put("experiment_id", id).toString();
    }

    private String createRun(HttpExchange ex, String body) {
        JsonNode o = post(ex, body, Set.of("experiment_id", "user_id", "run_name", "start_time", "tags"));
        String experimentId = string(o, "experiment_id", true);
        if (!experiments.containsValue(experimentId)) throw new Refusal(404, "RESOURCE_DOES_NOT_EXIST", "no experiment " + experimentId);
        Map<String, String> tags = keyValues(o, "tags", 5000);
        String runId = "run" + (runs.size() + 1) + "abc";
        runs.put(runId, new Run(runId, experimentId, string(o, "run_name", false), string(o, "user_id", false), int64(o, "start_time", true),
                new ConcurrentHashMap<>(), new ConcurrentHashMap<>(tags), Collections.synchronizedList(new ArrayList<>()),
                new String[] {"RUNNING"}, new Long[] {null}));
        ObjectNode reply = JSON.createObjectNode();
        ObjectNode run = reply.putObject("run");
        run.putObject("info").put("run_id", runId).put("run_uuid", runId).put("experiment_id", experimentId).put("status", "RUNNING")
                .put("artifact_uri", "mlflow-artifacts:/" + experimentId + "/" + runId + "/artifacts").put("lifecycle_stage", "active");
        run.putObject("data");
        return reply.toString();
    }

    private String logBatch(HttpExchange ex, String body) {
        if (body.getBytes(StandardCharsets.UTF_8).length > 1_000_000) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "request larger than 1 MB");
        JsonNode o = post(ex, body, Set.of("run_id", "metrics", "params", "tags"));
        Run run = runs.get(string(o, "run_id", true));
        if (run == null) throw new Refusal(404, "RESOURCE_DOES_NOT_EXIST", "no run " + o.get("run_id"));
        JsonNode metrics = array(o, "metrics");
        Map<String, String> params = keyValues(o, "params", 250), tags = keyValues(o, "tags", 5000);
        if (metrics.size() > 1000) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "more than 1000 metrics: " + metrics.size());
        if (params.size() > 100) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "more than 100 params");
        if (tags.size() > 100) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "more than 100 tags");
        if (metrics.size() + params.size() + tags.size() > 1000) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "more than 1000 entities");
        List<Metric> parsed = new ArrayList<>();
        for (JsonNode m : metrics) {
            fields(m, Set.of("key", "value", "timestamp", "step"));
            JsonNode v = m.get("value");
            double value;
            if (v != null && v.isNumber()) value = v.doubleValue();
            else if (v != null && v.isTextual() && Set.of("NaN", "Infinity", "-Infinity").contains(v.textValue())) value = Double.parseDouble(v.textValue());
            else throw new Refusal(400, "INVALID_PARAMETER_VALUE", "metric value must be a double: " + v);
            parsed.add(new Metric(key(string(m, "key", true)), value, int64(m, "timestamp", true), int64(m, "step", false)));
        }
        params.forEach((k, v) -> {
            String old = run.params().get(k);
            if (old != null && !old.equals(v)) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed: " + k);
        });
        run.params().putAll(params);
        run.tags().putAll(tags);
        run.metrics().addAll(parsed);
        batchSizes.add(parsed.size());
        return "{}";
    }

    private String updateRun(HttpExchange ex, String body) {
        JsonNode o = post(ex, body, Set.of("run_id", "run_uuid", "status", "end_time", "run_name"));
        Run run = runs.get(string(o, "run_id", true));
        if (run == null) throw new Refusal(404, "RESOURCE_DOES_NOT_EXIST", "no run " + o.get("run_id"));
        String status = string(o, "status", false);
        if (status != null && !STATUSES.contains(status)) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "status " + status);
        if (status != null) run.status()[0] = status;
        run.endTime()[0] = o.has("end_time") ? int64(o, "end_time", false) : null;
        ObjectNode reply = JSON.createObjectNode();
        reply.putObject("run_info").put("run_id", run.runId()).put("status", run.status()[0]);
        return reply.toString();
    }

    private static void method(HttpExchange ex, String expected) {
        if (!ex.getRequestMethod().equals(expected)) {
            throw new Refusal(405, "BAD_REQUEST", ex.getRequestURI().getPath() + " takes " + expected + ", not " + ex.getRequestMethod());
        }
    }

    private static JsonNode post(HttpExchange ex, String body, Set<String> allowed) {
        method(ex, "POST");
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.startsWith("application/json")) throw new Refusal(400, "BAD_REQUEST", "Content-Type must be application/json, got " + type);
        JsonNode o;
        try {
            o = JSON.readTree(body);
        } catch (IOException e) {
            throw new Refusal(400, "MALFORMED_REQUEST", "not JSON");
        }
        if (!o.isObject()) throw new Refusal(400, "MALFORMED_REQUEST", "not a JSON object");
        fields(o, allowed);
        return o;
    }

    private static void fields(JsonNode o, Set<String> allowed) {
        o.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "unknown field " + f);
        });
    }

    private static String string(JsonNode o, String field, boolean required) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            if (required) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "missing " + field);
            return null;
        }
        if (!n.isTextual()) throw new Refusal(400, "INVALID_PARAMETER_VALUE", field + " must be a string, got " + n.getNodeType());
        return n.textValue();
    }

    /** An int64 is a JSON integer, or a string of digits in proto3's JSON mapping. */
    private static long int64(JsonNode o, String field, boolean required) {
        JsonNode n = o.get(field);
        if (n == null) {
            if (required) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "missing " + field);
            return 0;
        }
        if (n.isIntegralNumber()) return n.longValue();
        if (n.isTextual() && n.textValue().matches("-?\\d+")) return Long.parseLong(n.textValue());
        throw new Refusal(400, "INVALID_PARAMETER_VALUE", field + " must be an int64, got " + n);
    }

    private static JsonNode array(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null) return JSON.createArrayNode();
        if (!n.isArray()) throw new Refusal(400, "INVALID_PARAMETER_VALUE", field + " must be an array");
        return n;
    }

    private static Map<String, String> keyValues(JsonNode o, String field, int maxValue) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode kv : array(o, field)) {
            fields(kv, Set.of("key", "value"));
            String value = string(kv, "value", true);
            if (value.length() > maxValue) throw new Refusal(400, "INVALID_PARAMETER_VALUE", field + " value longer than " + maxValue);
            out.put(key(string(kv, "key", true)), value);
        }
        return out;
    }

    private static String key(String k) {
        if (k.isEmpty() || k.length() > 250 || !KEY.matcher(k).matches()) throw new Refusal(400, "INVALID_PARAMETER_VALUE", "invalid key '" + k + "'");
        return k;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static final class Refusal extends RuntimeException {
        final int status;
        final String code;

        Refusal(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}
