package org.seemore.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.seemore.Version;
import org.seemore.model.ModelDirectory;
import org.seemore.model.VlmConfig;
import org.seemore.train.MetricsLog;
import org.seemore.train.TrainSettings;

/** What a tracked run records besides its metrics: params, tags and the artifacts of its run directory. */
public final class RunMetadata {
    /** MLflow's documented limit for a param value in a log-batch call; longer values are cut, marked with "...". */
    static final int MAX_PARAM_VALUE = 250;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunMetadata() {}

    /** The model config as {@code model.NAME} params, with config.json's names. */
    public static Map<String, String> modelParams(VlmConfig config) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            flatten("model", JSON.readTree(config.toJson()), out);   // config.json's flat names, as the file says
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the config's own JSON does not parse", e);
        }
        return out;
    }

    /** The training settings as {@code train.NAME} params, with run.json's names. */
    public static Map<String, String> trainingParams(TrainSettings s) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("train.steps", Integer.toString(s.steps()));
        out.put("train.batch_size", Integer.toString(s.batchSize()));
        out.put("train.grad_accum", Integer.toString(s.gradAccumulation()));
        out.put("train.lr", Double.toString(s.lr()));
        out.put("train.min_lr_ratio", Double.toString(s.minLrRatio()));
        out.put("train.warmup", Integer.toString(s.warmupSteps()));
        out.put("train.weight_decay", Double.toString(s.weightDecay()));
        out.put("train.clip_norm", Double.toString(s.clipNorm()));
        out.put("train.eval_every", Integer.toString(s.evalEvery()));
        out.put("train.eval_limit", Integer.toString(s.evalLimit()));
        out.put("train.checkpoint_every", Integer.toString(s.checkpointEvery()));
        out.put("train.seed", Long.toString(s.seed()));
        out.put("train.stage", s.stage().id());
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(prefix + "." + e.getKey(), e.getValue(), out));
        } else {
            out.put(prefix, node.isTextual() ? node.textValue() : node.toString());
        }
    }

    /** Values cut to MLflow's param limit. */
    static Map<String, String> limited(Map<String, String> params) {
        Map<String, String> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.length() <= MAX_PARAM_VALUE ? v : v.substring(0, MAX_PARAM_VALUE - 3) + "..."));
        return out;
    }

    /**
     * The run's tags: MLflow's own (mlflow.runName, mlflow.user, mlflow.source.name, .type and
     * .git.commit when known) and seemore's version, host and run directory.
     */
    static Map<String, String> tags(String runName, String userId, String source, Path runDir) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("mlflow.runName", runName);
        tags.put("mlflow.user", userId);
        tags.put("mlflow.source.name", source);
        tags.put("mlflow.source.type", "LOCAL");
        String commit = gitCommit();
        if (commit != null) tags.put("mlflow.source.git.commit", commit);
        tags.put("seemore.version", Version.NUMBER);
        tags.put("seemore.host", host());
        tags.put("seemore.run_dir", runDir.toAbsolutePath().normalize().toString());
        return tags;
    }

    /** The files of a run directory stored as artifacts: the plots, metrics.jsonl, and the model under model/. */
    static List<Sender.Artifact> artifacts(Path runDir) {
        List<Sender.Artifact> out = new ArrayList<>();
        for (String name : List.of("loss.png", "experts.png", "contact-sheet.png", MetricsLog.FILE)) {
            if (Files.isRegularFile(runDir.resolve(name))) out.add(new Sender.Artifact(name, runDir.resolve(name)));
        }
        for (String name : List.of(ModelDirectory.CONFIG, ModelDirectory.TOKENIZER, ModelDirectory.WEIGHTS)) {
            if (Files.isRegularFile(runDir.resolve(name))) out.add(new Sender.Artifact("model/" + name, runDir.resolve(name)));
        }
        return out;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "unknown";
        }
    }

    /**
     * The commit of the checkout seemore runs from (the directory above target/), when git is
     * installed and it is a git checkout; null otherwise.
     */
    static String gitCommit() {
        try {
            Path code = Path.of(RunMetadata.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path checkout = code.getParent() != null && code.getParent().getParent() != null ? code.getParent().getParent() : code;
            Process git = new ProcessBuilder("git", "-C", checkout.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            if (!git.waitFor(5, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return null;
            }
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.exitValue() == 0 && out.matches("[0-9a-f]{40}([0-9a-f]{24})?") ? out : null;
        } catch (IOException | InterruptedException | RuntimeException | java.net.URISyntaxException e) {
            return null;
        }
    }
}
