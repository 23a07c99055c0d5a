package org.seemore.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.seemore.UserException;
import org.seemore.data.image.RgbImage;
import org.seemore.data.synth.ShapeColor;
import org.seemore.data.synth.ShapesConfig;
import org.seemore.data.synth.ShapesDataset;
import org.seemore.data.synth.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code seemore synth}: writes the synthetic shapes dataset to disk, one directory of PNG images
 * and one JSONL manifest per split ({@code {"image": "train/000000.png", "caption": "..."}}, paths
 * relative to the manifest), plus {@code dataset.json} recording how it was generated.
 */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Writes the synthetic shapes captioning dataset: PNG images under DIR/<split>/ and a manifest "
                        + "DIR/<split>.jsonl with lines {\"image\": \"<split>/000000.png\", \"caption\": \"...\"}.",
                "Captions read like \"a large red circle at the top left and a small blue star at the bottom right\". "
                        + "The heldout split shows (shape, color) pairs that train, val and test never do: "
                        + "yellow circle, blue square, orange triangle, green star.",
                "The same seed and image size always give the same files."},
        footer = "%nExample: seemore synth --out data/shapes --count 5000 (48x48 images, the input of the small preset)%n")
public final class SynthCommand implements Runnable {
    private static final int DEFAULT_TRAIN_COUNT = 1000;
    /** Validation, test and held-out splits get this fraction of the train count. */
    private static final int OTHER_SPLITS_DIVISOR = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Directory to write; it must be new or empty unless --force is given.")
    Path out;

    @Option(names = "--count", paramLabel = "N",
            description = "Examples per split. With --split all: N train examples and N/" + OTHER_SPLITS_DIVISOR
                    + " (at least 1) each of val, test and heldout; default " + DEFAULT_TRAIN_COUNT + " train, "
                    + (DEFAULT_TRAIN_COUNT / OTHER_SPLITS_DIVISOR) + " each of the others. With a single split: N "
                    + "examples of it; default " + DEFAULT_TRAIN_COUNT + " for train, "
                    + (DEFAULT_TRAIN_COUNT / OTHER_SPLITS_DIVISOR) + " for the others.")
    Integer count;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + ShapesConfig.DEFAULT_SEED,
            description = "Dataset seed (default: ${DEFAULT-VALUE}). Each split has its own stream, so "
                    + "changing one split's count leaves the others unchanged.")
    long seed;

    @Option(names = "--image-size", paramLabel = "PIXELS", defaultValue = "" + ShapesConfig.DEFAULT_IMAGE_SIZE,
            description = "Side of the square images, " + ShapesConfig.MIN_IMAGE_SIZE + " to "
                    + ShapesConfig.MAX_IMAGE_SIZE + " (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "all",
            description = "train, val, test, heldout or all (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--force", description = "Write into DIR even if it is not empty, overwriting files of the same name.")
    boolean force;

    @Override
    public void run() {
        ShapesConfig config = config();
        Map<Split, Integer> counts = counts();
        prepareOutput();
        long start = System.nanoTime();
        ObjectMapper json = new ObjectMapper();
        for (Map.Entry<Split, Integer> entry : counts.entrySet()) writeSplit(json, config, entry.getKey(), entry.getValue());
        writeDescription(json, config, counts);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> parts = counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().id()).toList();
        spec.commandLine().getOut().printf("wrote %s examples (%dx%d, seed %d) to %s in %.1f s%n",
                String.join(", ", parts), imageSize, imageSize, seed, out, seconds);
    }

    private ShapesConfig config() {
        if (imageSize < ShapesConfig.MIN_IMAGE_SIZE || imageSize > ShapesConfig.MAX_IMAGE_SIZE) {
            throw new UserException("--image-size must be between " + ShapesConfig.MIN_IMAGE_SIZE + " and "
                    + ShapesConfig.MAX_IMAGE_SIZE + " pixels, got " + imageSize);
        }
        return new ShapesConfig(imageSize, seed);
    }

    /** The splits to write, in order, with their sizes. */
    private Map<Split, Integer> counts() {
        if (count != null && count < 1) throw new UserException("--count must be at least 1, got " + count);
        Map<Split, Integer> counts = new LinkedHashMap<>();
        if (split.equals("all")) {
            int train = count != null ? count : DEFAULT_TRAIN_COUNT;
            int others = Math.max(1, train / OTHER_SPLITS_DIVISOR);
            for (Split each : Split.values()) counts.put(each, each == Split.TRAIN ? train : others);
        } else {
            Split chosen;
            try {
                chosen = Split.fromId(split);
            } catch (IllegalArgumentException e) {
                throw new UserException("--split must be train, val, test, heldout or all, got '" + split + "'");
            }
            int fallback = chosen == Split.TRAIN ? DEFAULT_TRAIN_COUNT : DEFAULT_TRAIN_COUNT / OTHER_SPLITS_DIVISOR;
            counts.put(chosen, count != null ? count : fallback);
        }
        return counts;
    }

    private void prepareOutput() {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new UserException("--out " + out + " is a file, not a directory");
        try {
            if (Files.isDirectory(out) && !force) {
                try (Stream<Path> entries = Files.list(out)) {
                    if (entries.findAny().isPresent()) {
                        throw new UserException("--out " + out + " is not empty; pass --force to write into it anyway");
                    }
                }
            }
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserException("cannot create --out " + out + ": " + e.getMessage(), e);
        }
    }

    private void writeSplit(ObjectMapper json, ShapesConfig config, Split split, int count) {
        Path imageDir = out.resolve(split.id());
        Path manifest = out.resolve(split.id() + ".jsonl");
        int digits = Math.max(6, Integer.toString(count - 1).length());
        try {
            Files.createDirectories(imageDir);
            try (BufferedWriter writer = Files.newBufferedWriter(manifest)) {
                for (int index = 0; index < count; index++) {
                    ShapesDataset.Sample sample = ShapesDataset.sample(config, split, index);
                    String name = String.format("%0" + digits + "d.png", index);
                    writePng(sample.image(), imageDir.resolve(name));
                    writer.write(json.writeValueAsString(new ManifestLine(split.id() + "/" + name, sample.scene().caption())));
                    writer.newLine();
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot write the " + split.id() + " split under --out " + out + ": " + e.getMessage(), e);
        }
    }

    /** One manifest line; the image path is relative to the manifest's directory. */
    record ManifestLine(String image, String caption) {}

    private static void writePng(RgbImage image, Path file) throws IOException {
        BufferedImage buffered = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = image.rgb();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int offset = (y * image.width() + x) * 3;
                buffered.setRGB(x, y, (rgb[offset] & 0xFF) << 16 | (rgb[offset + 1] & 0xFF) << 8 | (rgb[offset + 2] & 0xFF));
            }
        }
        if (!ImageIO.write(buffered, "png", file.toFile())) throw new IOException("no PNG writer available");
    }

    /** dataset.json: enough to regenerate the files and to know which pairs are held out. */
    private void writeDescription(ObjectMapper json, ShapesConfig config, Map<Split, Integer> counts) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("dataset", "seemore synthetic shapes");
        description.put("seed", config.seed());
        description.put("imageSize", config.imageSize());
        description.put("heldoutPairs", ShapesDataset.HELDOUT_PAIRS.stream().map(ShapeColor::toString).toList());
        Map<String, Integer> splits = new LinkedHashMap<>();
        counts.forEach((split, n) -> splits.put(split.id(), n));
        description.put("splits", splits);
        try {
            json.writer(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("dataset.json").toFile(), description);
        } catch (IOException e) {
            throw new UserException("cannot write dataset.json under --out " + out + ": " + e.getMessage(), e);
        }
    }
}
