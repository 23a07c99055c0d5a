package org.seemore.track;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A reader of MLflow's file store written for the tests, apart from seemore's writer, after
 * mlflow/store/tracking/file_store.py: experiments are the root's subdirectories but .trash and
 * models, each with a meta.yaml that Experiment.from_dictionary reads (experiment_id a string, name,
 * artifact_location, lifecycle_stage); runs are an experiment's subdirectories but tags, datasets and
 * traces, each with a meta.yaml that RunInfo.from_dictionary reads (run_uuid, experiment_id, user_id,
 * status, start_time, end_time, lifecycle_stage required; status an int, turned into its name);
 * metrics/KEY files of "TS VALUE [STEP]" lines (two or three fields, int, float, int), params/KEY
 * and tags/KEY files read whole, keys with slashes from subdirectories (os.walk). Its YAML is
 * PyYAML's safe loading of plain, quoted and null scalars, typed as PyYAML types them.
 */
final class MlflowFileReader {
    static final Map<Long, String> STATUS = Map.of(1L, "RUNNING", 2L, "SCHEDULED", 3L, "FINISHED", 4L, "FAILED", 5L, "KILLED");

    record Experiment(String id, String name, String artifactLocation, String lifecycleStage, Map<String, Object> meta) {}

    record Run(String runId, String experimentId, String runName, String userId, String status, long startTime, Long endTime,
               String lifecycleStage, String artifactUri, Map<String, Object> meta, Map<String, List<Metric>> metrics,
               Map<String, String> params, Map<String, String> tags) {}

    private MlflowFileReader() {}

    static List<Experiment> experiments(Path root) throws IOException {
        List<Experiment> out = new ArrayList<>();
        for (Path dir : list(root)) {
            String name = dir.getFileName().toString();
            if (!Files.isDirectory(dir) || name.endsWith(".trash") || name.equals("models")) continue;
            Map<String, Object> meta = yaml(dir.resolve("meta.yaml"));
            Object id = meta.get("experiment_id");
            String experimentId = id instanceof Long l ? l.toString() : (String) id; // _read_persisted_experiment_dict casts a legacy int
            if (!experimentId.equals(name)) throw new IllegalStateException(dir + ": experiment ID mismatch, MLflow ignores it");
            out.add(new Experiment(experimentId, (String) required(meta, "name"), (String) required(meta, "artifact_location"),
                    (String) required(meta, "lifecycle_stage"), meta));
        }
        return out;
    }

    static Experiment experiment(Path root, String name) throws IOException {
        return experiments(root).stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    static List<Run> runs(Path root, String experimentId) throws IOException {
        List<Run> out = new ArrayList<>();
        for (Path dir : list(root.resolve(experimentId))) {
            if (!Files.isDirectory(dir) || Set.of("tags", "datasets", "traces").contains(dir.getFileName().toString())) continue;
            out.add(run(dir, experimentId));
        }
        return out;
    }

    private static Run run(Path dir, String experimentId) throws IOException {
        Map<String, Object> meta = yaml(dir.resolve("meta.yaml"));
        for (String key : List.of("run_uuid", "experiment_id", "user_id", "status", "start_time", "end_time", "lifecycle_stage")) required(meta, key);
        Object exp = meta.get("experiment_id");
        String runExperiment = exp instanceof Long l ? l.toString() : (String) exp;
        if (!runExperiment.equals(experimentId)) throw new IllegalStateException(dir + ": wrong experiment ID, MLflow ignores the run");
        String runId = meta.get("run_id") != null ? (String) meta.get("run_id") : (String) meta.get("run_uuid");
        String status = STATUS.get((Long) meta.get("status"));
        if (status == null) throw new IllegalStateException(dir + ": status " + meta.get("status") + " is no RunStatus");
        Map<String, String> tags = files(dir.resolve("tags"));
        String runName = meta.get("run_name") != null ? (String) meta.get("run_name") : tags.get("mlflow.runName");
        Map<String, List<Metric>> metrics = new TreeMap<>();
        for (Map.Entry<String, String> e : files(dir.resolve("metrics")).entrySet()) {
            List<Metric> values = new ArrayList<>();
            for (String line : e.getValue().split("\n")) {
                String[] parts = line.strip().split(" ");
                if (parts.length != 2 && parts.length != 3) throw new IllegalStateException("metric " + e.getKey() + " is malformed: " + line);
                values.add(new Metric(e.getKey(), pythonFloat(parts[1]), Long.parseLong(parts[0]), parts.length == 3 ? Long.parseLong(parts[2]) : 0));
            }
            metrics.put(e.getKey(), values);
        }
        return new Run(runId, runExperiment, runName, (String) meta.get("user_id"), status, (Long) meta.get("start_time"),
                (Long) meta.get("end_time"), (String) meta.get("lifecycle_stage"), (String) meta.get("artifact_uri"), meta, metrics,
                files(dir.resolve("params")), tags);
    }

    /** Python's float(): decimal and exponent forms, nan, inf, infinity, in any case. */
    static double pythonFloat(String s) {
        String t = s.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (t) {
            case "nan", "+nan", "-nan" -> Double.NaN;
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> {
                if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) throw new NumberFormatException("float(): " + s);
                yield Double.parseDouble(t);
            }
        };
    }

    /** The files under {@code dir}, keyed by their path relative to it with '/' (os.walk and relpath). */
    private static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(f).toString().replace('\\', '/'), Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static Object required(Map<String, Object> meta, String key) {
        if (!meta.containsKey(key)) throw new IllegalStateException("meta.yaml has no " + key + ": the entity's constructor fails");
        return meta.get(key);
    }

    /** PyYAML's safe_load of a flat mapping: plain ints become Long, null/~ null, [] an empty list, quoted scalars strings. */
    static Map<String, Object> yaml(Path file) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            int colon = line.indexOf(": ");
            String key = colon < 0 ? line.substring(0, line.length() - 1) : line.substring(0, colon);
            String v = colon < 0 ? "" : line.substring(colon + 2).strip();
            Object value;
            if (v.isEmpty() || v.equals("null") || v.equals("~")) value = null;
            else if (v.equals("[]")) value = List.of();
            else if (v.startsWith("'")) value = v.substring(1, v.length() - 1).replace("''", "'");
            else if (v.startsWith("\"")) value = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\");
            else if (v.matches("[-+]?\\d+")) value = Long.parseLong(v);
            else value = v;
            out.put(key, value);
        }
        return out;
    }
}
