package org.seemore.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;
import org.seemore.io.AtomicFiles;

/**
 * {@code run.json} in a run directory: what the run was started with, so that {@code --resume}
 * can continue it exactly and refuse a change that would not. The data is recorded by its record
 * count and a fingerprint of its contents, so a moved file still matches and an edited one does not.
 *
 * @param data        the data as the user named it (for messages)
 * @param records     training records after any hold-out split
 * @param fingerprint {@link #fingerprint(List)} of those records
 * @param model       how the model was chosen, as flags ({@code --preset small}, {@code --config FILE})
 * @param settings    the training settings
 */
public record RunRecord(String data, int records, String fingerprint, String model, TrainSettings settings) {
    public static final String FILE = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public void write(Path runDir) {
        ObjectNode o = JSON.createObjectNode();
        o.put("data", data).put("records", records).put("fingerprint", fingerprint).put("model", model);
        TrainSettings s = settings;
        o.put("steps", s.steps()).put("batch_size", s.batchSize()).put("grad_accum", s.gradAccumulation()).put("lr", s.lr())
                .put("min_lr_ratio", s.minLrRatio()).put("warmup", s.warmupSteps()).put("weight_decay", s.weightDecay())
                .put("clip_norm", s.clipNorm()).put("eval_every", s.evalEvery()).put("eval_limit", s.evalLimit())
                .put("checkpoint_every", s.checkpointEvery()).put("seed", s.seed()).put("stage", s.stage().id());
        AtomicFiles.writeString(runDir.resolve(FILE), o.toPrettyString() + "\n");
    }

    /** The record of the run in {@code runDir}; empty if it has none (a run from before run.json, or the demo's). */
    public static Optional<RunRecord> read(Path runDir) {
        Path file = runDir.resolve(FILE);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            JsonNode o = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            TrainSettings s = TrainSettings.builder().steps(o.get("steps").intValue()).batchSize(o.get("batch_size").intValue())
                    .gradAccumulation(o.get("grad_accum").intValue()).lr(o.get("lr").doubleValue())
                    .minLrRatio(o.get("min_lr_ratio").doubleValue()).warmupSteps(o.get("warmup").intValue())
                    .weightDecay(o.get("weight_decay").doubleValue()).clipNorm(o.get("clip_norm").doubleValue())
                    .evalEvery(o.get("eval_every").intValue()).evalLimit(o.get("eval_limit").intValue())
                    .checkpointEvery(o.get("checkpoint_every").intValue()).seed(o.get("seed").longValue())
                    .stage(Stage.parse(o.get("stage").textValue())).build();
            return Optional.of(new RunRecord(o.get("data").textValue(), o.get("records").intValue(), o.get("fingerprint").textValue(),
                    o.get("model").textValue(), s));
        } catch (IOException | RuntimeException e) {
            // bad JSON, a missing field (NullPointerException) or a bad value (IllegalArgumentException) mean the same to the user
            throw new UserException(file + ": not a complete record of the run; delete it to resume without checking the flags against it");
        }
    }

    /**
     * A digest of what the model is trained on, in order (the order fixes the batches): each
     * record's prompt and answer, and its image by file name or encoded bytes. A drawn image is
     * not read: the synthetic generator draws it from the same seed as its caption.
     */
    public static String fingerprint(List<Example> examples) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        for (Example e : examples) {
            update(digest, e.prompt());
            update(digest, e.answer());
            switch (e.image()) {
                case null -> update(digest, "");
                case ImageSource.FileImage f -> update(digest, f.path().getFileName().toString());
                case ImageSource.EncodedImage b -> digest.update(b.bytes());
                case ImageSource.PixelImage p -> update(digest, "pixels");
            }
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }

    private static void update(MessageDigest digest, String s) {
        digest.update(s.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }
}
