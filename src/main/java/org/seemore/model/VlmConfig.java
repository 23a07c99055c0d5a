package org.seemore.model;

/**
 * The whole model's hyper-parameters: one config per part, each with its own fields, defaults and
 * validation, and what concerns the whole (dropout while training; the visual tokens fitting the
 * position table). Immutable; variants come from the {@code with*} methods. config.json is read and
 * written by {@link VlmConfigJson}.
 *
 * @param vision    the vision tower's
 * @param projector the projector's own choices (its widths are its neighbours')
 * @param language  the language model's
 * @param dropout   dropout rate while training
 */
public record VlmConfig(VisionTower.Config vision, Projector.Config projector, LanguageModel.Config language, double dropout) {

    public VlmConfig {
        if (vision == null || projector == null || language == null) throw new IllegalArgumentException("a model needs a vision tower, a projector and a language model");
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        if (vision.featureRows() >= language.maxPositions()) {
            throw new IllegalArgumentException("max_pos " + language.maxPositions() + " leaves no room for text after the visual tokens");
        }
    }

    /** Input images are imageSize x imageSize RGB. */
    public int imageSize() {
        return vision.imageSize();
    }

    /** Visual tokens per image in the language model's sequence, Nv. */
    public int numVisualTokens() {
        return vision.featureRows();
    }

    public int vocabSize() {
        return language.vocabSize();
    }

    /** The language model's position table: visual and text tokens. */
    public int maxPositions() {
        return language.maxPositions();
    }

    /** The longest text (in tokens) that fits the position table after the visual tokens. */
    public int maxTextTokens() {
        return maxPositions() - numVisualTokens();
    }

    public VlmConfig withVision(VisionTower.Config v) {
        return new VlmConfig(v, projector, language, dropout);
    }

    public VlmConfig withProjector(Projector.Config p) {
        return new VlmConfig(vision, p, language, dropout);
    }

    public VlmConfig withLanguage(LanguageModel.Config l) {
        return new VlmConfig(vision, projector, l, dropout);
    }

    public VlmConfig withVocabSize(int v) {
        return withLanguage(language.withVocabSize(v));
    }

    public VlmConfig withDropout(double d) {
        return new VlmConfig(vision, projector, language, d);
    }

    /** Parses config.json (the reference's flat names) strictly: see {@link VlmConfigReader}; messages name the key and value. */
    public static VlmConfig fromJson(String json) {
        return VlmConfigJson.read(json, 0);
    }

    /** As {@link #fromJson(String)}, with {@code vocab_size} optional: a training config, whose tokenizer decides it. */
    public static VlmConfig fromJson(String json, int vocabSizeIfAbsent) {
        return VlmConfigJson.read(json, vocabSizeIfAbsent);
    }

    /** config.json's text, in the reference's flat names. */
    public String toJson() {
        return VlmConfigJson.write(this);
    }
}
