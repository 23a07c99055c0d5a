package org.seemore.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.seemore.data.DataSource;
import picocli.CommandLine.Option;

/** How data files are read. */
public final class DataOptions {
    @Option(names = "--format", paramLabel = "NAME", description = "jsonl, csv, llava or text (default: from the file extension).")
    String format;

    @Option(names = "--image-root", paramLabel = "DIR", description = "Directory that image paths are relative to (default: the data file's).")
    Path imageRoot;

    @Option(names = "--skip-bad", description = "Skip bad records (and report how many) instead of stopping.")
    boolean skipBad;

    @Option(names = "--synthetic-count", paramLabel = "N", description = "Training scenes drawn for synthetic:shapes (default: ${DEFAULT-VALUE}).", defaultValue = "20000")
    int syntheticCount;

    DataSource.Options options(int imageSize, long seed, int textChunk) {
        if (syntheticCount < 1) throw new org.seemore.UserException("--synthetic-count must be positive");
        return new DataSource.Options(Optional.ofNullable(format), imageRoot, skipBad, imageSize, seed, syntheticCount, Math.max(1, textChunk));
    }
}
