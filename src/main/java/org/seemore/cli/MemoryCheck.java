package org.seemore.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.ImageTransform;
import org.seemore.model.MemoryEstimate;
import org.seemore.model.ModelDirectory;
import org.seemore.model.VlmConfig;
import org.seemore.train.BatchStream;
import org.seemore.train.Stage;

/**
 * Compares what a command will need with the heap the JVM may use ({@link Runtime#maxMemory()}),
 * before the model is allocated, and refuses with one line: how much it needs, how much the JVM
 * has, how to raise it. A training run needs (see {@link MemoryEstimate} for the model's part):
 * <ul>
 *   <li>the parameters, 4 bytes each;
 *   <li>per trainable parameter a gradient and AdamW's two moments, and a copy of the moments while
 *       a checkpoint is written: 20 bytes;
 *   <li>one step's activations, which its buffer pool keeps between steps, and beside them the
 *       evaluator's pool for a validation batch (at least 16) and its generation caches;
 *   <li>the data's images in memory, and their decoded copies when BatchStream caches them;
 *   <li>room for the JVM's young generation, where short-lived objects live: {@link #JVM_ROOM}.
 * </ul>
 * Checked against the smallest -Xmx that a 2-step run with a 32-record evaluation and checkpoint
 * went through (with the launcher's flags): the seemore preset at batch 32 on 500 synthetic scenes
 * ran at 1470 MB and ran out at 1441 MB, the estimate asks for 1649; the small preset at batch 32 on
 * 20000 scenes ran at 365 MB and ran out at 350 MB, the estimate asks for 441. So it errs high, by
 * 12% to 26%: refusing at the start is cheap, running out after hours of training is not (the
 * out-of-memory message covers what the estimate misses). Inference needs the parameters and one
 * batch's activations and caches; caption and eval check a lower bound at load.
 */
final class MemoryCheck {
    /** The launcher's young generation (-Xmn128m), less the survivor space maxMemory() leaves out. */
    static final long JVM_ROOM = 96L << 20;

    private MemoryCheck() {}

    /** One part of what a command needs, for the message. */
    private record Part(String name, long bytes) {}

    /**
     * Before the data is read: the least a training run of {@code config} needs (a one-token text),
     * so that a model far too large is refused at once.
     */
    static void trainingLowerBound(String what, VlmConfig config, Stage stage, int batchSize) {
        require(what, "needs at least", trainingParts(config, stage, batchSize, 1, List.of(), 0));
    }

    /** With the data read, before the model is allocated: what training on it needs. */
    static void training(String what, VlmConfig config, Stage stage, int batchSize, List<Example> train, List<Example> validation,
                         ImageTransform transform) {
        List<Example> all = new ArrayList<>(train);
        all.addAll(validation);
        int evalTokens = longestText(validation, config);
        List<Part> parts = trainingParts(config, stage, batchSize, longestText(train, config), validation, evalTokens);
        parts.add(new Part("data", imageBytes(all) + (stage.usesImages() ? BatchStream.imageCacheBytes(train.size(), transform) : 0)));
        require(what, "needs about", parts);
    }

    /** Before a model directory is loaded for inference: its parameters and a one-image batch. */
    static void inference(Path modelDir) {
        if (!ModelDirectory.isModelDirectory(modelDir)) return; // load() says what is wrong with it
        VlmConfig config = ModelDirectory.readConfig(modelDir);
        long positions = config.numVisualTokens() + 1L;
        List<Part> parts = new ArrayList<>();
        parts.add(new Part("parameters", 4 * MemoryEstimate.parameters(config).total()));
        parts.add(new Part("activations", MemoryEstimate.inferenceActivations(config, 1, 1, true)
                + MemoryEstimate.kvCache(config, 1, (int) positions)));
        require(modelDir.toString(), "needs at least", parts);
    }

    private static List<Part> trainingParts(VlmConfig config, Stage stage, int batchSize, int textTokens, List<Example> validation,
                                            int evalTokens) {
        MemoryEstimate.ParameterCount count = MemoryEstimate.parameters(config);
        long trainable = (stage.trains("vision.") ? count.vision() : 0) + (stage.trains("projector.") ? count.projector() : 0)
                + (stage.trains("decoder.") ? count.decoder() : 0);
        boolean images = stage.usesImages();
        long activations = MemoryEstimate.trainingActivations(config, batchSize, textTokens, images);
        if (!validation.isEmpty()) {
            int evalBatch = Math.max(batchSize, 16); // as Trainer makes its Evaluator
            activations += MemoryEstimate.inferenceActivations(config, evalBatch, evalTokens, images)
                    + MemoryEstimate.kvCache(config, evalBatch, config.numVisualTokens() + evalTokens + 16);
        }
        List<Part> parts = new ArrayList<>();
        parts.add(new Part("parameters", 4 * count.total()));
        parts.add(new Part("gradients and AdamW state", 20 * trainable));
        parts.add(new Part("activations", activations));
        return parts;
    }

    /** Text tokens of the longest record, as SequenceEncoder cuts it: {@code <bos> prompt answer}, at most the positions left. */
    private static int longestText(List<Example> examples, VlmConfig config) {
        long longest = 1;
        for (Example e : examples) longest = Math.max(longest, 1L + e.prompt().length() + e.answer().length()); // chars >= code points
        return (int) Math.min(longest, config.maxTextTokens());
    }

    /** The images the records hold in memory (files are read when needed). */
    private static long imageBytes(List<Example> examples) {
        long bytes = 0;
        for (Example e : examples) {
            if (e.image() instanceof ImageSource.PixelImage p) bytes += p.image().rgb().length;
            else if (e.image() instanceof ImageSource.EncodedImage b) bytes += b.bytes().length;
        }
        return bytes;
    }

    private static void require(String what, String verb, List<Part> parts) {
        long needed = JVM_ROOM, max = Runtime.getRuntime().maxMemory();
        Part largest = parts.getFirst();
        for (Part p : parts) {
            needed += p.bytes();
            if (p.bytes() > largest.bytes()) largest = p;
        }
        if (needed <= max) return;
        String alternative = largest.name().equals("activations") ? "lower --batch-size" : "use a smaller model";
        StringBuilder detail = new StringBuilder();
        for (Part p : parts) {
            if (p.bytes() == 0) continue;
            detail.append(detail.isEmpty() ? "" : ", ").append(p.name()).append(' ').append(gigabytes(p.bytes()));
        }
        throw new UserException(what + " " + verb + " " + gigabytes(needed) + " of heap (" + detail + "), but the JVM may use "
                + gigabytes(max) + "; " + howToRaise(needed) + ", or " + alternative);
    }

    /** "512 MB", "3.9 GB", "3.2 TB". */
    static String gigabytes(long bytes) {
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%d MB", Math.max(1, Math.round(bytes / (double) (1 << 20))));
        if (bytes < 1L << 40) return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%.1f TB", bytes / (double) (1L << 40));
    }

    /** How to give the JVM at least {@code bytes}: the launcher passes SEEMORE_JAVA_OPTS to java. */
    static String howToRaise(long bytes) {
        long gb = Math.max(1, (bytes + (64L << 20) + (1L << 30) - 1) >> 30); // -Xmx less a survivor space is what maxMemory() reports
        return "give it more with SEEMORE_JAVA_OPTS=-Xmx" + gb + "g (./seemore passes it to java)";
    }
}
