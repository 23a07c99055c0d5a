package org.seemore.cli;

import java.nio.file.Path;
import java.util.List;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;

/** Untrained model directories for command tests that need a model but not a good one (training one takes longer). */
final class TinyModels {
    private TinyModels() {}

    /** A seeded, untrained {@code tiny}-preset model (32x32 images) whose tokenizer knows lower-case captions. */
    static Path save(Path dir) {
        CharTokenizer tokenizer = CharTokenizer.build(List.of("abcdefghijklmnopqrstuvwxyz 0123456789"));
        Vlm model = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 7);
        ModelDirectory.save(dir, model, tokenizer, 0);
        return dir;
    }
}
