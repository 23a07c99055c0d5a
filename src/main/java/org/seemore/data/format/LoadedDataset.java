package org.seemore.data.format;

import java.util.List;
import org.seemore.data.Example;

/**
 * The examples read from a dataset file, and the records skipped as bad (only when skipping was asked for).
 *
 * @param skippedReasons one {@code file:line: reason} per skipped record, in file order
 */
public record LoadedDataset(List<Example> examples, int skipped, List<String> skippedReasons) {
    public LoadedDataset {
        examples = List.copyOf(examples);
        skippedReasons = List.copyOf(skippedReasons);
        if (skipped != skippedReasons.size()) {
            throw new IllegalArgumentException("skipped = " + skipped + " but " + skippedReasons.size() + " reasons given");
        }
    }
}
