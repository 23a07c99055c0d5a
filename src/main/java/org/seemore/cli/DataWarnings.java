package org.seemore.cli;

import java.util.List;
import org.seemore.data.Example;
import org.seemore.train.SequenceEncoder;

/** Warnings about loaded data that train and eval print before they start, so that nothing is lost silently. */
final class DataWarnings {
    private DataWarnings() {}

    /** One line when some records do not fit the model's text positions and lose their ends (and {@code <eos>}). */
    static void truncated(String spec, List<Example> examples, int maxTextTokens) {
        int count = SequenceEncoder.countTruncated(examples, maxTextTokens);
        if (count == 0) return;
        long longest = 0;   // positions needed: <bos>, prompt and answer, one per character
        for (Example e : examples) longest = Math.max(longest, 1L + e.prompt().codePointCount(0, e.prompt().length())
                + e.answer().codePointCount(0, e.answer().length()));
        System.err.println("seemore: warning: " + count + " of " + examples.size() + " captions in " + spec
                + " longer than the model's " + maxTextTokens + " text positions were truncated (the longest needs "
                + longest + "; a --config with a larger max_pos fits them)");
    }
}
