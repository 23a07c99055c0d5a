package org.seemore.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.seemore.UserException;
import org.seemore.io.AtomicFiles;
import org.seemore.train.plot.ExpertLoadChart;
import org.seemore.train.plot.LossChart;
import org.seemore.train.plot.LossPoint;

/**
 * {@code metrics.jsonl}: one JSON object per optimizer step (step, loss, ce, aux, lr, grad_norm,
 * tokens_per_s, expert_load per layer) and per evaluation (step, val_loss, exact_match,
 * char_error_rate), appended as training goes; and the plots drawn from it: {@code loss.png}
 * (training and validation cross-entropy, without the auxiliary losses) and {@code experts.png}.
 */
public final class MetricsLog {
    public static final String FILE = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Path dir;
    private final List<LossPoint> trainLoss = new ArrayList<>();
    private final List<LossPoint> valLoss = new ArrayList<>();
    private final List<Long> loadSteps = new ArrayList<>();
    private final List<double[][]> loads = new ArrayList<>();

    public MetricsLog(Path runDir) {
        this.dir = runDir;
        this.file = runDir.resolve(FILE);
    }

    /** Starts a fresh log. */
    public void reset() {
        try {
            Files.writeString(file, "", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserException(file + ": cannot write: " + e.getMessage());
        }
    }

    /**
     * Keeps the lines up to {@code step} (a resumed run rewrites what came after its checkpoint),
     * replacing the file atomically. A last line that is not JSON was cut short by a kill or a full
     * disk and is dropped; the returned notice says so. A bad line before the last one is an error.
     */
    public Optional<String> truncateAfter(long step) {
        if (!Files.exists(file)) {
            reset();
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserException(file + ": cannot read the metrics to resume: " + e.getMessage());
        }
        int last = lines.size() - 1;
        while (last >= 0 && lines.get(last).isBlank()) last--;
        List<String> kept = new ArrayList<>();
        Optional<String> notice = Optional.empty();
        for (int i = 0; i <= last; i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                if (i < last) throw new UserException(file + ":" + (i + 1) + ": not a JSON line; delete it to resume the run");
                notice = Optional.of(file + ":" + (i + 1) + ": dropped a partial last line, cut short when the run was interrupted");
                continue;
            }
            if (node.path("step").asLong() > step) continue;
            kept.add(line);
            remember(node);
        }
        AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        return notice;
    }

    private void remember(JsonNode node) {
        long step = node.path("step").asLong();
        if (node.has("ce")) trainLoss.add(new LossPoint(step, node.get("ce").asDouble()));
        if (node.has("val_loss")) valLoss.add(new LossPoint(step, node.get("val_loss").asDouble()));
        if (node.has("expert_load")) {
            JsonNode layers = node.get("expert_load");
            double[][] load = new double[layers.size()][];
            for (int l = 0; l < layers.size(); l++) {
                load[l] = new double[layers.get(l).size()];
                for (int e = 0; e < load[l].length; e++) load[l][e] = layers.get(l).get(e).asDouble();
            }
            loadSteps.add(step);
            loads.add(load);
        }
    }

    public void step(Trainer.StepMetrics m) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", m.step());
        row.put("loss", m.loss());
        row.put("ce", m.ce());
        row.put("aux", m.aux());
        row.put("lr", m.lr());
        row.put("grad_norm", m.gradNorm());
        row.put("tokens_per_s", Math.round(m.tokensPerSecond()));
        row.put("expert_load", m.expertLoad());
        append(row);
        trainLoss.add(new LossPoint(m.step(), m.ce())); // plotted beside val_loss, which is cross-entropy too
        loadSteps.add(m.step());
        loads.add(m.expertLoad());
    }

    public void evaluation(long step, Evaluator.Result r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", step);
        row.put("val_loss", r.loss());
        row.put("exact_match", r.exactMatch());
        row.put("char_error_rate", r.charErrorRate());
        row.put("n", r.n());
        append(row);
        valLoss.add(new LossPoint(step, r.loss()));
    }

    private void append(Map<String, Object> row) {
        try {
            Files.writeString(file, JSON.writeValueAsString(row) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UserException(file + ": cannot write: " + e.getMessage());
        }
    }

    /** Redraws loss.png and experts.png. */
    public void plot() {
        LossChart.write(dir.resolve("loss.png"), trainLoss, valLoss);
        ExpertLoadChart.write(dir.resolve("experts.png"), loadSteps, loads);
    }
}
