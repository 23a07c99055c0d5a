package org.seemore.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.seemore.UserException;
import org.seemore.data.format.DatasetLoader;
import org.seemore.data.format.LoadedDataset;
import org.seemore.data.format.TextCorpus;
import org.seemore.data.format.TextFormat;
import org.seemore.data.synth.ShapesConfig;
import org.seemore.data.synth.ShapesDataset;
import org.seemore.data.synth.Split;

/**
 * Resolves a data argument: {@code synthetic:shapes} (the built-in captioning set, drawn in memory)
 * or a file whose format comes from its extension or an explicit name.
 */
public final class DataSource {
    public static final String SYNTHETIC = "synthetic:shapes";

    private DataSource() {}

    /** How to read a data argument. */
    public record Options(Optional<String> format, Path imageRoot, boolean skipBad, int imageSize, long seed,
                          int syntheticCount, int textChunk) {}

    /** Records plus how many bad ones were skipped. */
    public record Loaded(List<Example> examples, int skipped, List<String> skippedReasons) {}

    public static boolean isSynthetic(String spec) {
        return spec.equals(SYNTHETIC) || spec.startsWith(SYNTHETIC + ":");
    }

    /**
     * @param spec  a path, {@code synthetic:shapes} (the train split) or {@code synthetic:shapes:SPLIT}
     *              (train, val, test or heldout)
     */
    public static Loaded load(String spec, Options options) {
        if (isSynthetic(spec)) {
            Split split = Split.TRAIN;
            if (!spec.equals(SYNTHETIC)) {
                String id = spec.substring(SYNTHETIC.length() + 1);
                try {
                    split = Split.fromId(id);
                } catch (IllegalArgumentException e) {
                    throw new UserException(spec + ": unknown split '" + id + "' (choose train, val, test or heldout)");
                }
            }
            ShapesConfig config = new ShapesConfig(options.imageSize(), options.seed());
            int count = split == Split.TRAIN ? options.syntheticCount() : Math.max(1, options.syntheticCount() / 10);
            return new Loaded(ShapesDataset.generate(config, split, count), 0, List.of());
        }
        if (spec.startsWith("synthetic:")) throw new UserException(spec + ": unknown synthetic set (the built-in one is " + SYNTHETIC + ")");
        Path file = Path.of(spec);
        if (DatasetLoader.formatFor(file, options.format()) instanceof TextFormat) {
            return new Loaded(TextCorpus.read(file).chunks(options.textChunk()), 0, List.of());
        }
        LoadedDataset d = DatasetLoader.load(file, options.format(), options.imageRoot(), options.skipBad());
        return new Loaded(d.examples(), d.skipped(), d.skippedReasons());
    }
}
