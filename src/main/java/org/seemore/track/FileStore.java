package org.seemore.track;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.seemore.io.AtomicFiles;

/**
 * MLflow's file store, written in the layout that MLflow's own FileStore
 * (mlflow/store/tracking/file_store.py) reads, so that {@code mlflow ui --backend-store-uri file:PATH}
 * lists these runs:
 * <pre>
 * PATH/0/meta.yaml                       the default experiment, made with a new store
 * PATH/.trash/                           deleted experiments
 * PATH/EXPERIMENT_ID/meta.yaml           experiment_id (a string), name, artifact_location, lifecycle_stage, times
 * PATH/EXPERIMENT_ID/RUN_ID/meta.yaml    run_id, run_uuid, experiment_id, status as its proto number, ...
 * PATH/EXPERIMENT_ID/RUN_ID/metrics/KEY  one "TIMESTAMP_MS VALUE STEP" line per value
 * PATH/EXPERIMENT_ID/RUN_ID/params/KEY   the value, no newline
 * PATH/EXPERIMENT_ID/RUN_ID/tags/KEY     the value, no newline (mlflow.runName among them)
 * PATH/EXPERIMENT_ID/RUN_ID/artifacts/   the artifacts, when the experiment's artifact location is local
 * </pre>
 * A key with slashes is a path below metrics/, params/ or tags/, as MLflow makes it.
 */
public final class FileStore implements TrackingStore {
    static final String DEFAULT_EXPERIMENT_ID = "0";
    static final String DEFAULT_EXPERIMENT_NAME = "Default";
    static final String META = "meta.yaml";
    static final String TRASH = ".trash";
    /** MLflow's model registry keeps its files here, beside the experiments. */
    private static final String MODELS = "models";
    private static final SecureRandom IDS = new SecureRandom();

    private final Path root;

    public FileStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return "file:" + root;
    }

    @Override
    public RunRef createRun(NewRun run) throws TrackingException {
        try {
            ensureRoot();
            String experimentId = findExperiment(run.experimentName());
            if (experimentId == null) experimentId = createExperiment(run.experimentName(), newExperimentId());
            String artifactLocation = MetaYaml.read(Files.readString(root.resolve(experimentId).resolve(META))).get("artifact_location");
            String runId = UUID.randomUUID().toString().replace("-", "");
            RunRef ref = new RunRef(experimentId, runId, appendToUri(artifactLocation, runId, "artifacts"));
            Path dir = root.resolve(experimentId).resolve(runId);
            Files.createDirectories(dir);
            Map<String, Object> meta = runMeta(ref, run.runName(), run.userId(), run.startTime(), null, RunStatus.RUNNING);
            Files.writeString(dir.resolve(META), MetaYaml.write(meta), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            for (String sub : List.of("metrics", "params", "artifacts")) Files.createDirectories(dir.resolve(sub));
            for (Map.Entry<String, String> tag : run.tags().entrySet()) writeValue(dir.resolve("tags"), tag.getKey(), tag.getValue());
            return ref;
        } catch (IOException | RuntimeException e) {
            throw new TrackingException(root + ": cannot create the run: " + e.getMessage(), false, e);
        }
    }

    @Override
    public void logBatch(RunRef run, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) throws TrackingException {
        Path dir = activeRunDir(run);
        try {
            for (Map.Entry<String, String> p : params.entrySet()) {
                Path file = resolveKey(dir.resolve("params"), p.getKey());
                if (Files.exists(file) && !Files.readString(file, StandardCharsets.UTF_8).equals(p.getValue())) {
                    throw new TrackingException("param " + p.getKey() + " was logged with another value (" + Files.readString(file, StandardCharsets.UTF_8)
                            + "), and MLflow does not let a param change", false);
                }
                writeValue(dir.resolve("params"), p.getKey(), p.getValue());
            }
            for (Metric m : metrics) {
                Path file = resolveKey(dir.resolve("metrics"), m.key());
                Files.createDirectories(file.getParent());
                Files.writeString(file, m.timestamp() + " " + number(m.value()) + " " + m.step() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            for (Map.Entry<String, String> t : tags.entrySet()) writeValue(dir.resolve("tags"), t.getKey(), t.getValue());
        } catch (IOException e) {
            throw new TrackingException(dir + ": cannot write: " + e.getMessage(), false, e);
        }
    }

    @Override
    public void updateRun(RunRef run, RunStatus status, Long endTime) throws TrackingException {
        Path dir = activeRunDir(run);
        try {
            Map<String, String> old = MetaYaml.read(Files.readString(dir.resolve(META), StandardCharsets.UTF_8));
            Map<String, Object> meta = runMeta(run, old.get("run_name"), old.get("user_id"), Long.parseLong(old.get("start_time")), endTime, status);
            AtomicFiles.writeString(dir.resolve(META), MetaYaml.write(meta));
        } catch (IOException | RuntimeException e) {
            throw new TrackingException(dir.resolve(META) + ": cannot update the run: " + e.getMessage(), false, e);
        }
    }

    @Override
    public void logArtifact(RunRef run, String artifactPath, Path file) throws TrackingException {
        Path artifacts = localPath(run.artifactUri());
        if (artifacts == null) {
            throw new TrackingException("artifacts go to " + run.artifactUri() + ", which is not a local directory; seemore copies artifacts only to a local one", false);
        }
        try {
            Path target = resolveKey(artifacts, artifactPath);
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TrackingException(artifacts + ": cannot copy " + file + ": " + e.getMessage(), false, e);
        }
    }

    /**
     * The fields of a run's meta.yaml as MLflow's {@code _make_persisted_run_info_dict} writes them:
     * RunInfo's properties, status as its proto number, the empty {@code tags} list and source fields
     * kept for old MLflow readers, source_type LOCAL (4).
     */
    static Map<String, Object> runMeta(RunRef ref, String runName, String userId, long startTime, Long endTime, RunStatus status) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("artifact_uri", ref.artifactUri());
        meta.put("deleted_time", null);
        meta.put("end_time", endTime);
        meta.put("entry_point_name", "");
        meta.put("experiment_id", ref.experimentId());
        meta.put("lifecycle_stage", "active");
        meta.put("run_id", ref.runId());
        meta.put("run_name", runName);
        meta.put("run_uuid", ref.runId());
        meta.put("source_name", "");
        meta.put("source_type", 4);
        meta.put("source_version", "");
        meta.put("start_time", startTime);
        meta.put("status", status.code);
        meta.put("tags", List.of());
        meta.put("user_id", userId);
        return meta;
    }

    /** As MLflow's FileStore does on a new root: the root, the default experiment 0 and the trash folder. */
    private void ensureRoot() throws IOException {
        if (Files.exists(root) && !Files.isDirectory(root)) throw new IOException(root + " is not a directory");
        if (!Files.exists(root)) {
            Files.createDirectories(root);
            createExperiment(DEFAULT_EXPERIMENT_NAME, DEFAULT_EXPERIMENT_ID);
        }
        Files.createDirectories(root.resolve(TRASH));
    }

    /** The active experiment of this name; a deleted one (in .trash) is an error, as MLflow refuses to reuse its name. */
    private String findExperiment(String name) throws IOException, TrackingException {
        String found = findIn(root, name);
        if (found != null) return found;
        if (findIn(root.resolve(TRASH), name) != null) {
            throw new TrackingException("experiment '" + name + "' is deleted (in " + root.resolve(TRASH)
                    + "); restore it, or track into another experiment", false);
        }
        return null;
    }

    private static String findIn(Path parent, String name) throws IOException {
        if (!Files.isDirectory(parent)) return null;
        try (Stream<Path> dirs = Files.list(parent)) {
            for (Path dir : dirs.sorted().toList()) {
                String id = dir.getFileName().toString();
                if (!Files.isDirectory(dir) || id.endsWith(TRASH) || id.equals(MODELS) || !Files.isRegularFile(dir.resolve(META))) continue;
                Map<String, String> meta;
                try {
                    meta = MetaYaml.read(Files.readString(dir.resolve(META), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    continue; // MLflow skips a malformed experiment too
                }
                if (name.equals(meta.get("name")) && id.equals(meta.get("experiment_id"))) return id;
            }
        }
        return null;
    }

    private String createExperiment(String name, String id) throws IOException {
        Path dir = root.resolve(id);
        Files.createDirectories(dir);
        long now = System.currentTimeMillis();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("artifact_location", appendToUri(fileUri(root), id));
        meta.put("creation_time", now);
        meta.put("experiment_id", id);
        meta.put("last_update_time", now);
        meta.put("lifecycle_stage", "active");
        meta.put("name", name);
        Files.writeString(dir.resolve(META), MetaYaml.write(meta), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        return id;
    }

    /** MLflow's _generate_unique_integer_id: 18 random digits, the first not zero. */
    private String newExperimentId() {
        String id;
        do {
            StringBuilder digits = new StringBuilder().append(1 + IDS.nextInt(9));
            for (int i = 1; i < 18; i++) digits.append(IDS.nextInt(10));
            id = digits.toString();
        } while (Files.exists(root.resolve(id)));
        return id;
    }

    private Path activeRunDir(RunRef run) throws TrackingException {
        Path dir = root.resolve(run.experimentId()).resolve(run.runId());
        Path meta = dir.resolve(META);
        try {
            if (!Files.isRegularFile(meta)) throw new TrackingException("run " + run.runId() + " is not in " + root + " (was it or its experiment deleted?)", false);
            if (!"active".equals(MetaYaml.read(Files.readString(meta, StandardCharsets.UTF_8)).get("lifecycle_stage"))) {
                throw new TrackingException("run " + run.runId() + " in " + root + " was deleted", false);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new TrackingException(meta + ": cannot read: " + e.getMessage(), false, e);
        }
        return dir;
    }

    private static void writeValue(Path parent, String key, String value) throws IOException {
        Path file = resolveKey(parent, key);
        Files.createDirectories(file.getParent());
        Files.writeString(file, value, StandardCharsets.UTF_8);
    }

    private static Path resolveKey(Path parent, String key) throws IOException {
        String problem = Keys.problem(key);
        if (problem != null) throw new IOException("invalid key: " + problem);
        return parent.resolve(key);
    }

    /** Python's repr of a float where it differs from Java's (nan, inf); MLflow reads the value back with float(). */
    static String number(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Double.toString(v);
    }

    /** {@code file:///...} as Python's pathlib.Path.as_uri() writes it: percent-encoded, three slashes. */
    static String fileUri(Path path) {
        try {
            return new URI("file", "", path.toAbsolutePath().toString(), null, null).toASCIIString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(path + ": no file URI", e);
        }
    }

    /** MLflow's append_to_uri_path: the parts joined with single slashes. */
    static String appendToUri(String uri, String... parts) {
        StringBuilder out = new StringBuilder(uri);
        for (String part : parts) {
            while (out.length() > 0 && out.charAt(out.length() - 1) == '/') out.setLength(out.length() - 1);
            out.append('/').append(part);
        }
        return out.toString();
    }

    /** The local directory of a {@code file:} URI or an absolute path; null for any other URI (s3:, mlflow-artifacts:, ...). */
    static Path localPath(String uri) {
        if (uri == null) return null;
        if (uri.startsWith("/")) return Path.of(uri);
        if (!uri.startsWith("file:")) return null;
        try {
            URI parsed = new URI(uri);
            if (parsed.getAuthority() != null && !parsed.getAuthority().equals("localhost")) return null;
            return Path.of(parsed.getPath());
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
