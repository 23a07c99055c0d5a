package org.seemore.train;

import org.seemore.model.Vlm;

import java.util.Locale;

/**
 * Which components train, following the usual VLM recipe that the original seemore describes
 * (and LLaVA follows): a language model alone, then the projector alone with the vision encoder
 * and decoder frozen, then projector and decoder together; or everything end to end (Kosmos-1).
 */
public enum Stage {
    /** The decoder alone, on text (no images). */
    LM,
    /** Only the projector; vision encoder and decoder frozen. */
    PROJECTOR,
    /** Projector and decoder; vision encoder frozen. */
    FINETUNE,
    /** Everything, end to end (the default). */
    FULL;

    public boolean trains(String parameterName) {
        return switch (this) {
            case LM -> parameterName.startsWith(Vlm.LANGUAGE + ".");
            case PROJECTOR -> parameterName.startsWith(Vlm.PROJECTOR + ".");
            case FINETUNE -> parameterName.startsWith(Vlm.PROJECTOR + ".") || parameterName.startsWith(Vlm.LANGUAGE + ".");
            case FULL -> true;
        };
    }

    /** Whether the stage feeds images to the model. */
    public boolean usesImages() {
        return this != LM;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Stage parse(String s) {
        for (Stage st : values()) if (st.id().equals(s.toLowerCase(Locale.ROOT))) return st;
        throw new IllegalArgumentException("unknown stage '" + s + "' (choose lm, projector, finetune or full)");
    }
}
